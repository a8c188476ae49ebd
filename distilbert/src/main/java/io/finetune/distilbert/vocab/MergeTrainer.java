package io.finetune.distilbert.vocab;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The merge loop of Hugging Face's {@code WordPieceTrainer} (a BPE trainer with the {@code ##} continuation prefix):
 * every word starts as its characters ({@code w ##o ##r ##d}); the adjacent pair that occurs most often in the corpus
 * (each word weighted by its count) is merged into a new token ({@code w}+{@code ##o} → {@code wo},
 * {@code ##r}+{@code ##d} → {@code ##rd}), until the vocabulary is full or no pair occurs {@code minFrequency} times.
 * Frequent words thus end up whole, less frequent ones as frequent pieces. Ties go to the pair whose tokens sort
 * first, so equal input gives an equal vocabulary. Pair counts are kept incrementally (only the words holding the
 * merged pair are revisited), so a 30k vocabulary over a few hundred thousand distinct words takes seconds.
 */
final class MergeTrainer {
    static final String PREFIX = "##";

    private final List<String> tokens;
    private final Map<String, Integer> ids = new HashMap<>();
    private final List<int[]> words = new ArrayList<>();
    private final List<Long> counts = new ArrayList<>();
    private final Map<Long, Long> pairCounts = new HashMap<>();
    private final Map<Long, Set<Integer>> wordsWithPair = new HashMap<>();

    private record Candidate(long pair, long count) {
    }

    /** @param initial specials and alphabet, in id order; {@code words} maps each word to its count */
    MergeTrainer(List<String> initial, Map<String, long[]> wordCounts) {
        tokens = new ArrayList<>(initial);
        for (int i = 0; i < tokens.size(); i++) {
            ids.putIfAbsent(tokens.get(i), i);
        }
        // Sorted, so the order words are visited in (and so every tie) does not depend on hashing.
        wordCounts.keySet().stream().sorted().forEach(word -> {
            int[] symbols = symbols(word);
            if (symbols != null) {
                words.add(symbols);
                counts.add(wordCounts.get(word)[0]);
            }
        });
    }

    /** Word → initial symbol ids, or null when a character is outside the alphabet (that word trains nothing). */
    private int[] symbols(String word) {
        int[] cps = word.codePoints().toArray();
        int[] symbols = new int[cps.length];
        for (int i = 0; i < cps.length; i++) {
            String piece = (i == 0 ? "" : PREFIX) + new String(Character.toChars(cps[i]));
            Integer id = ids.get(piece);
            if (id == null) {
                return null;
            }
            symbols[i] = id;
        }
        return symbols;
    }

    /** Merges until {@code vocabSize} tokens exist; returns every token in id order. */
    List<String> train(int vocabSize, long minFrequency) {
        PriorityQueue<Candidate> queue = new PriorityQueue<>(this::compare);
        for (int w = 0; w < words.size(); w++) {
            addPairs(w, +1, null);
        }
        pairCounts.forEach((pair, count) -> queue.add(new Candidate(pair, count)));
        while (tokens.size() < vocabSize && !queue.isEmpty()) {
            Candidate top = queue.poll();
            long current = pairCounts.getOrDefault(top.pair, 0L);
            if (current != top.count) { // stale: counts only fall after a pair is queued, so re-queue the truth
                if (current > 0) {
                    queue.add(new Candidate(top.pair, current));
                }
                continue;
            }
            if (current < minFrequency) {
                break;
            }
            merge(top.pair).forEach(pair -> queue.add(new Candidate(pair, pairCounts.get(pair))));
        }
        return List.copyOf(tokens);
    }

    private int compare(Candidate x, Candidate y) {
        int byCount = Long.compare(y.count, x.count);
        if (byCount != 0) {
            return byCount;
        }
        int byLeft = tokens.get(left(x.pair)).compareTo(tokens.get(left(y.pair)));
        return byLeft != 0 ? byLeft : tokens.get(right(x.pair)).compareTo(tokens.get(right(y.pair)));
    }

    /** Replaces the pair in every word holding it; returns the pairs whose count grew (to be queued). */
    private Set<Long> merge(long pair) {
        int a = left(pair);
        int b = right(pair);
        String right = tokens.get(b);
        String merged = tokens.get(a) + (right.startsWith(PREFIX) ? right.substring(PREFIX.length()) : right);
        Integer id = ids.get(merged); // two merge paths may spell the same token ("a"+"##bc", "ab"+"##c")
        if (id == null) {
            id = tokens.size();
            tokens.add(merged);
            ids.put(merged, id);
        }
        Map<Long, Long> delta = new HashMap<>();
        for (int w : List.copyOf(wordsWithPair.getOrDefault(pair, Set.of()))) {
            int[] before = words.get(w);
            int[] after = replace(before, a, b, id);
            if (after.length == before.length) {
                continue; // the index is allowed to be stale: this word lost the pair in an earlier merge
            }
            addPairs(w, -1, delta);
            words.set(w, after);
            addPairs(w, +1, delta);
        }
        pairCounts.remove(pair);
        wordsWithPair.remove(pair);
        Set<Long> grown = new HashSet<>();
        delta.forEach((p, d) -> {
            if (d > 0 && p != pair && pairCounts.getOrDefault(p, 0L) > 0) {
                grown.add(p);
            }
        });
        return grown;
    }

    private static int[] replace(int[] symbols, int a, int b, int merged) {
        int[] out = new int[symbols.length];
        int n = 0;
        for (int i = 0; i < symbols.length; i++) {
            if (i + 1 < symbols.length && symbols[i] == a && symbols[i + 1] == b) {
                out[n++] = merged;
                i++;
            } else {
                out[n++] = symbols[i];
            }
        }
        return n == symbols.length ? symbols : java.util.Arrays.copyOf(out, n);
    }

    /** Adds ({@code sign} +1) or removes (-1) the weighted counts of word {@code w}'s adjacent pairs. */
    private void addPairs(int w, int sign, Map<Long, Long> delta) {
        int[] symbols = words.get(w);
        long weight = counts.get(w) * sign;
        for (int i = 0; i + 1 < symbols.length; i++) {
            long pair = pair(symbols[i], symbols[i + 1]);
            long updated = pairCounts.merge(pair, weight, Long::sum);
            if (updated <= 0) {
                pairCounts.remove(pair);
            }
            if (sign > 0) {
                wordsWithPair.computeIfAbsent(pair, p -> new HashSet<>()).add(w);
            }
            if (delta != null) {
                delta.merge(pair, weight, Long::sum);
            }
        }
    }

    private static long pair(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    private static int left(long pair) {
        return (int) (pair >>> 32);
    }

    private static int right(long pair) {
        return (int) pair;
    }
}

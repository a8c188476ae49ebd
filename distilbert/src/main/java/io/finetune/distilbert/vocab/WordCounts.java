package io.finetune.distilbert.vocab;

import java.util.HashMap;
import java.util.Map;

/**
 * Word and character frequencies of a corpus in bounded memory. Characters are always counted exactly (there are at
 * most a few thousand distinct ones). Words are counted exactly until {@code maxWords} distinct words are held; then
 * the rarest are dropped (every word at or below a rising count threshold) until half the room is free again. A word
 * dropped early may come back later with a lower count than it really has: the price of a bounded table, paid only
 * by words too rare to matter for a vocabulary of tens of thousands of entries.
 */
final class WordCounts {
    /** Longer words are never split by HF's WordPiece (max_input_chars_per_word): they become [UNK] as a whole. */
    static final int MAX_WORD_CHARS = 100;

    private final int maxWords;
    private final Map<String, long[]> words = new HashMap<>();
    private final Map<Integer, long[]> chars = new HashMap<>();
    private long pruneThreshold;

    WordCounts(int maxWords) {
        if (maxWords < 2) {
            throw new IllegalArgumentException("maxWords must be at least 2: " + maxWords);
        }
        this.maxWords = maxWords;
    }

    void add(String word) {
        if (word.codePointCount(0, word.length()) > MAX_WORD_CHARS) {
            return;
        }
        word.codePoints().forEach(cp -> chars.computeIfAbsent(cp, c -> new long[1])[0]++);
        words.computeIfAbsent(word, w -> new long[1])[0]++;
        if (words.size() > maxWords) {
            prune();
        }
    }

    private void prune() {
        while (words.size() > maxWords / 2) {
            pruneThreshold++;
            long threshold = pruneThreshold;
            words.values().removeIf(count -> count[0] <= threshold);
        }
    }

    Map<String, long[]> words() {
        return words;
    }

    Map<Integer, long[]> chars() {
        return chars;
    }

    /** The highest count at which words were dropped (0 when the table never overflowed). */
    long prunedBelowOrAt() {
        return pruneThreshold;
    }
}

package io.finetune.distilbert.vocab;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Builds a BERT-uncased WordPiece vocabulary from a stream of texts (docs/vocabulary.md explains the choice):
 *
 * <ol>
 *   <li>the special tokens {@link #SPECIALS}, ids 0-4 ({@code [PAD]} = 0 = {@code EncoderConfig.padTokenId});
 *   <li>every character seen, twice: as a word start ({@code e}) and as a continuation ({@code ##e}), sorted by code
 *       point, so a word made of seen characters always has a spelling and never becomes {@code [UNK]};
 *   <li>tokens from WordPiece training ({@link MergeTrainer}): the most frequent adjacent pieces are merged until the
 *       vocabulary has {@code vocabSize} tokens or no pair occurs {@code minFrequency} times. The most frequent words
 *       come out whole, the rest as frequent pieces ({@code ##ing}, {@code un}).
 * </ol>
 *
 * Texts are folded into word counts as they are added (bounded by {@code maxWords}), never kept.
 */
public final class WordPieceVocabularyBuilder {
    public static final List<String> SPECIALS = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");
    /** Enough distinct words for any English corpus's vocabulary (~60 MB of counts at most). */
    public static final int DEFAULT_MAX_WORDS = 500_000;

    private final int vocabSize;
    private final int minFrequency;
    private final WordCounts counts;

    public WordPieceVocabularyBuilder(int vocabSize, int minFrequency) {
        this(vocabSize, minFrequency, DEFAULT_MAX_WORDS);
    }

    /**
     * @param vocabSize    tokens at most, specials included
     * @param minFrequency a piece is merged only when it occurs at least this often
     * @param maxWords     distinct words counted before the rarest are dropped (bounds memory)
     */
    public WordPieceVocabularyBuilder(int vocabSize, int minFrequency, int maxWords) {
        if (vocabSize < SPECIALS.size() + 2) {
            throw new IllegalArgumentException("vocabSize " + vocabSize + " leaves no room beside the "
                    + SPECIALS.size() + " special tokens");
        }
        if (minFrequency < 1) {
            throw new IllegalArgumentException("minFrequency must be at least 1: " + minFrequency);
        }
        this.vocabSize = vocabSize;
        this.minFrequency = minFrequency;
        this.counts = new WordCounts(maxWords);
    }

    public WordPieceVocabularyBuilder add(String text) {
        if (text != null) {
            BertWords.of(text).forEach(counts::add);
        }
        return this;
    }

    public WordPieceVocabularyBuilder addAll(Iterable<String> texts) {
        texts.forEach(this::add);
        return this;
    }

    public WordPieceVocabulary build() {
        List<String> initial = new ArrayList<>(SPECIALS);
        List<Integer> alphabet = alphabet();
        alphabet.forEach(cp -> initial.add(new String(Character.toChars(cp))));
        alphabet.forEach(cp -> initial.add(MergeTrainer.PREFIX + new String(Character.toChars(cp))));
        List<String> tokens = new MergeTrainer(initial, counts.words()).train(vocabSize, minFrequency);
        return new WordPieceVocabulary(tokens);
    }

    /**
     * Every character seen, by code point; when two forms of each do not fit beside the specials, the most frequent
     * characters that do (ties by code point), the others becoming {@code [UNK]}.
     */
    private List<Integer> alphabet() {
        Map<Integer, long[]> chars = counts.chars();
        int room = (vocabSize - SPECIALS.size()) / 2;
        return chars.keySet().stream()
                .sorted(Comparator.comparingLong((Integer cp) -> -chars.get(cp)[0]).thenComparing(cp -> cp))
                .limit(room)
                .sorted()
                .toList();
    }
}

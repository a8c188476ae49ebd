package io.finetune.distilbert.vocab;

import io.finetune.distilbert.TextTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WordPieceVocabularyBuilderTest {
    @TempDir
    Path tmp;

    /** Reviews whose frequent words ("movie", "the") should come out whole and rarer ones as pieces. */
    static List<String> corpus() {
        String[] adjectives = {"great", "terrible", "boring", "wonderful", "awful", "moving", "dull", "brilliant"};
        String[] nouns = {"movie", "film", "story", "acting", "ending", "plot"};
        Random random = new Random(7);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            texts.add("The " + nouns[random.nextInt(nouns.length)] + " was " + adjectives[random.nextInt(adjectives.length)]
                    + ", and the " + nouns[random.nextInt(nouns.length)] + " felt " + adjectives[random.nextInt(adjectives.length)]
                    + "! Watching it again? Never. Café crème costs $" + i + ".");
        }
        return texts;
    }

    private static WordPieceVocabulary build(int size, int minFrequency) {
        return new WordPieceVocabularyBuilder(size, minFrequency).addAll(corpus()).build();
    }

    @Test
    void specialsThenBothFormsOfEveryCharacterThenMergedPieces() {
        WordPieceVocabulary vocab = build(150, 2);
        assertThat(vocab.tokens().subList(0, 5)).containsExactly("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");
        assertThat(vocab.size()).isEqualTo(150);
        // accents stripped and lower-cased before counting, as BertNormalizer does
        assertThat(vocab.tokens()).contains("c", "##c", "e", "##e", "$", "##$", "movie", "the")
                .doesNotContain("é", "C", "T");
        assertThat(vocab.tokens()).doesNotHaveDuplicates();
    }

    @Test
    void theWrittenTokenizerLoadsAndSplitsUnseenWordsIntoPiecesNotUnk() {
        WordPieceVocabulary vocab = build(200, 2);
        vocab.write(tmp, 512);
        try (TextTokenizer tokenizer = TextTokenizer.load(tmp, 64)) {
            long[] ids = tokenizer.encode("The movie was GREAT").inputIds();
            assertThat(ids).containsExactly(2, vocab.id("the"), vocab.id("movie"), vocab.id("was"), vocab.id("great"), 3);
            // never seen as a word, but every character was: pieces, not [UNK]
            long[] unseen = tokenizer.encode("gratefulness").inputIds();
            assertThat(unseen.length).isGreaterThan(3);
            assertThat(unseen).doesNotContain(1L);
            for (String text : corpus()) {
                assertThat(tokenizer.encode(text).inputIds()).as(text).doesNotContain(1L);
            }
            // a character never seen is the only way to [UNK]
            assertThat(tokenizer.encode("zebra ω").inputIds()).contains(1L);
        }
    }

    @Test
    void theSameCorpusGivesByteIdenticalFiles() throws Exception {
        build(150, 2).write(tmp.resolve("a"), 512);
        List<String> shuffled = new ArrayList<>(corpus());
        java.util.Collections.shuffle(shuffled, new Random(3));
        new WordPieceVocabularyBuilder(150, 2).addAll(shuffled).build().write(tmp.resolve("b"), 512);
        for (String file : WordPieceVocabulary.FILES) {
            assertThat(Files.readAllBytes(tmp.resolve("a").resolve(file)))
                    .as(file).isEqualTo(Files.readAllBytes(tmp.resolve("b").resolve(file)));
        }
        assertThat(Files.readString(tmp.resolve("a/vocab.txt"), StandardCharsets.UTF_8)).startsWith("[PAD]\n[UNK]\n");
    }

    @Test
    void minFrequencyStopsMergingBeforeTheVocabularyIsFull() {
        WordPieceVocabulary loose = build(5000, 1);
        WordPieceVocabulary strict = build(5000, 500);
        assertThat(strict.size()).isLessThan(loose.size());
        assertThat(loose.size()).isLessThan(5000); // the corpus has fewer pairs than that
        assertThat(strict.tokens()).contains("the").doesNotContain("brilliant");
    }

    @Test
    void boundedCountsKeepFrequentWords() {
        WordPieceVocabularyBuilder builder = new WordPieceVocabularyBuilder(300, 2, 50);
        for (int i = 0; i < 2000; i++) {
            builder.add("common words return " + Integer.toString(i * 7919, 36)); // one rare word per text
        }
        WordPieceVocabulary vocab = builder.build();
        assertThat(vocab.tokens()).contains("common", "words", "return");
    }

    @Test
    void tooSmallAVocabularyIsRefused() {
        assertThatThrownBy(() -> new WordPieceVocabularyBuilder(6, 1)).hasMessageContaining("vocabSize 6");
        assertThatThrownBy(() -> new WordPieceVocabularyBuilder(100, 0)).hasMessageContaining("minFrequency");
    }

    @Test
    void wordsAreSplitAsBertDoes() {
        assertThat(BertWords.of("Hello,  WORLD!\tCafé's naïve 東京")).containsExactly(
                "hello", ",", "world", "!", "cafe", "'", "s", "naive", "東", "京");
        assertThat(Arrays.asList("a$b".split(""))).hasSize(3);
        assertThat(BertWords.of("a$b")).containsExactly("a", "$", "b");
    }
}

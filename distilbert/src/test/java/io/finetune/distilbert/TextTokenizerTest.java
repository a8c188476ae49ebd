package io.finetune.distilbert;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TextTokenizerTest {

    @TempDir
    Path temp;

    @Test
    void truncatesToMaxLengthKeepingSpecialTokens() {
        Path dir = BundledModels.extract(BundledModels.DEMO_MODEL, temp.resolve("tiny"));
        try (TextTokenizer tokenizer = TextTokenizer.load(dir, 6)) {
            TextTokenizer.Encoded longText = tokenizer.encode("the movie was great and the acting was good");
            assertThat(longText.inputIds()).hasSize(6).startsWith(2L).endsWith(3L);
            assertThat(longText.truncated()).isTrue();
            TextTokenizer.Encoded shortText = tokenizer.encode("great");
            assertThat(shortText.truncated()).isFalse();
            assertThat(shortText.intIds()).hasSize(3).startsWith(2).endsWith(3);
            List<TextTokenizer.Encoded> batch = tokenizer.encodeBatch(List.of("great", "the movie was great and the acting was good"));
            assertThat(batch.get(0).inputIds()).containsExactly(shortText.inputIds());
            assertThat(batch.get(1).inputIds()).containsExactly(longText.inputIds());
            assertThat(tokenizer.encodeBatch(List.of())).isEmpty();
        }
    }

    @Test
    void vocabTxtFallbackMatchesTokenizerJson() throws Exception {
        Path full = BundledModels.extract(BundledModels.DEMO_MODEL, temp.resolve("tiny"));
        Path vocabOnly = temp.resolve("vocab-only");
        Files.createDirectories(vocabOnly);
        Files.copy(full.resolve("vocab.txt"), vocabOnly.resolve("vocab.txt"));
        Files.copy(full.resolve("tokenizer_config.json"), vocabOnly.resolve("tokenizer_config.json"));
        Golden golden = Golden.read("/golden/distilbert-tiny.json");
        try (TextTokenizer json = TextTokenizer.load(full, 64); TextTokenizer vocab = TextTokenizer.load(vocabOnly, 64)) {
            for (String text : golden.texts()) {
                assertThat(vocab.encode(text).inputIds()).as(text).containsExactly(json.encode(text).inputIds());
            }
        }
    }

    @Test
    void missingTokenizerIsReported() {
        assertThatThrownBy(() -> TextTokenizer.load(temp, 16))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tokenizer.json");
    }
}

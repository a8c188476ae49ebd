package io.finetune.distilbert.scratch;

import ai.djl.Device;
import io.finetune.distilbert.EncoderClassifier;
import io.finetune.distilbert.Predictor;
import io.finetune.distilbert.TextTokenizer;
import io.finetune.distilbert.vocab.WordPieceVocabulary;
import io.finetune.distilbert.vocab.WordPieceVocabularyBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScratchModelsTest {
    @TempDir
    Path tmp;

    @Test
    void aScratchModelFitsItsVocabularyAndSurvivesSaveAndLoad() {
        Path tokenizerDir = tmp.resolve("tokenizer");
        WordPieceVocabulary vocab = new WordPieceVocabularyBuilder(120, 1)
                .add("a wonderful film with a moving story").add("a dull film with a boring story").build();
        vocab.write(tokenizerDir, ScratchModels.MAX_POSITIONS);
        List<int[]> inputs;
        try (TextTokenizer tokenizer = TextTokenizer.load(tokenizerDir, 32)) {
            inputs = List.of(tokenizer.encode("a wonderful story").intIds(), tokenizer.encode("dull film").intIds());
        }
        Path saved = tmp.resolve("saved");
        float[][] before;
        try (EncoderClassifier model = ScratchModels.create(tokenizerDir, List.of("neg", "pos"), ScratchShape.TINY,
                7, Device.cpu())) {
            assertThat(model.config().vocabSize()).isEqualTo(vocab.size());
            assertThat(model.config().padTokenId()).isZero();
            assertThat(model.config().dim()).isEqualTo(32);
            assertThat(model.config().maxPositionEmbeddings()).isEqualTo(512);
            assertThat(model.parameters().get("distilbert.embeddings.word_embeddings.weight").getShape().get(0))
                    .isEqualTo(vocab.size());
            before = Predictor.logits(model, inputs, 8);
            model.save(saved);
            EncoderClassifier.copyTokenizerFiles(tokenizerDir, saved);
        }
        try (EncoderClassifier reloaded = EncoderClassifier.load(saved, null, Device.cpu())) {
            assertThat(Predictor.logits(reloaded, inputs, 8)).isDeepEqualTo(before);
            assertThat(reloaded.config().labels()).containsExactly("neg", "pos");
        }
        assertThat(saved.resolve("tokenizer.json")).exists();
        assertThat(saved.resolve("vocab.txt")).hasSameTextualContentAs(tokenizerDir.resolve("vocab.txt"));
    }

    @Test
    void shapesAreParsedByNameAndMissingTokenizersAreClear() {
        assertThat(ScratchShape.parse("Small").dim()).isEqualTo(256);
        assertThat(ScratchShape.parse("base").heads()).isEqualTo(12);
        assertThatThrownBy(() -> ScratchShape.parse("huge")).hasMessageContaining("tiny, small, base");
        assertThatThrownBy(() -> ScratchModels.create(tmp, List.of("a", "b"), ScratchShape.TINY, 1, Device.cpu()))
                .hasMessageContaining("no vocab.txt");
    }
}

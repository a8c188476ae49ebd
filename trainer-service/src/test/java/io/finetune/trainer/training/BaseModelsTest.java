package io.finetune.trainer.training;

import io.finetune.contracts.DatasetShards;
import io.finetune.contracts.Hashing;
import io.finetune.contracts.ModelArchive;
import io.finetune.contracts.ShardManifest;
import ai.djl.Device;
import io.finetune.distilbert.BundledModels;
import io.finetune.distilbert.EncoderClassifier;
import io.finetune.distilbert.EncoderConfig;
import io.finetune.distilbert.ModelResolver;
import io.finetune.distilbert.scratch.ScratchShape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BaseModelsTest {
    private static final List<String> LABELS = List.of("negative", "positive");

    @TempDir
    Path temp;

    private BaseModels baseModels() {
        return new BaseModels(new ModelResolver(temp.resolve("models")));
    }

    private static DatasetShards dataset(String tokenizer, byte[] tokenizerZip) {
        ShardManifest manifest = new ShardManifest(ShardManifest.VERSION, "reviews", "b1", LABELS,
                Map.of("train", 0), Map.of(), tokenizer, tokenizer.substring(0, tokenizer.indexOf('@')), 64, "h",
                null, tokenizerZip == null ? null : ShardManifest.TokenizerArchive.of(tokenizerZip));
        return new DatasetShards(manifest, Map.of(), tokenizerZip);
    }

    private Path tinyModel() {
        return BundledModels.extract(BundledModels.DEMO_MODEL, temp.resolve("tiny"));
    }

    private String identity(Path modelDir) throws Exception {
        return "distilbert-tiny@sha256:" + Hashing.sha256Hex(Files.readAllBytes(modelDir.resolve("tokenizer.json")));
    }

    @Test
    void aPretrainedModelWithTheDatasetsTokenizerIsUsed() throws Exception {
        Path tiny = tinyModel();
        BaseModel base = baseModels().resolve(BundledModels.DEMO_MODEL, dataset(identity(tiny), null), temp);
        assertThat(base).isInstanceOf(BaseModel.Pretrained.class);
        assertThat(base.config(LABELS).labels()).isEqualTo(LABELS);
    }

    @Test
    void aPretrainedModelWithAnotherTokenizerIsRefused() {
        DatasetShards data = dataset("bert-base-cased@sha256:" + "0".repeat(64), null);
        assertThatThrownBy(() -> baseModels().resolve(BundledModels.DEMO_MODEL, data, temp))
                .hasMessageContaining("bert-base-cased's tokenizer")
                .hasMessageContaining("seal the dataset again with model distilbert-tiny");
    }

    @Test
    void aPresetScratchShapeNeedsADatasetWithItsOwnVocabulary() throws Exception {
        DatasetShards data = dataset(identity(tinyModel()), null);
        assertThatThrownBy(() -> baseModels().resolve("scratch:tiny", data, temp))
                .hasMessageContaining("seal it with preprocess option model 'scratch'")
                .hasMessageContaining("baseModel 'scratch' for distilbert-tiny's architecture");
    }

    @Test
    void scratchOnAPretrainedModelsTokensIsThatArchitectureWithNewWeights() throws Exception {
        Path tiny = tinyModel();
        BaseModel base = baseModels().resolve("scratch", dataset(identity(tiny), null), temp);
        assertThat(base).isInstanceOf(BaseModel.Untrained.class);
        EncoderConfig pretrained = EncoderConfig.read(tiny.resolve("config.json"));
        assertThat(base.config(LABELS)).isEqualTo(pretrained.withLabels(LABELS));
        try (EncoderClassifier pretrainedModel = EncoderClassifier.load(tiny, LABELS, Device.cpu());
             EncoderClassifier untrained = base.open(LABELS, Device.cpu(), 1)) {
            String words = "distilbert.embeddings.word_embeddings.weight";
            assertThat(untrained.parameters().keySet()).isEqualTo(pretrainedModel.parameters().keySet());
            assertThat(untrained.parameters().get(words).toFloatArray())
                    .isNotEqualTo(pretrainedModel.parameters().get(words).toFloatArray());
        }
    }

    @Test
    void scratchBuildsAModelForTheDatasetsVocabulary() throws Exception {
        Path tokenizerFiles = Files.createDirectories(temp.resolve("vocab"));
        for (String file : List.of("tokenizer.json", "vocab.txt", "tokenizer_config.json")) {
            Files.copy(tinyModel().resolve(file), tokenizerFiles.resolve(file));
        }
        byte[] zip = ModelArchive.zip(tokenizerFiles);
        DatasetShards data = dataset("scratch@sha256:" + "1".repeat(64), zip);

        BaseModel base = baseModels().resolve("scratch:tiny", data, temp.resolve("work"));
        assertThat(base).isInstanceOf(BaseModel.Scratch.class);
        assertThat(((BaseModel.Scratch) base).shape()).isEqualTo(ScratchShape.parse("tiny"));
        EncoderConfig config = base.config(LABELS);
        assertThat(config.vocabSize()).isEqualTo(Files.readAllLines(tokenizerFiles.resolve("vocab.txt")).size());
        assertThat(base.tokenizerDir().resolve("tokenizer.json")).exists();

        assertThatThrownBy(() -> baseModels().resolve(BundledModels.DEMO_MODEL, data, temp))
                .hasMessageContaining("train it with baseModel 'scratch'");
    }
}

package io.finetune.evaluator.domain;

import ai.djl.Device;
import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.DatasetShards;
import io.finetune.contracts.EvaluationResult;
import io.finetune.contracts.Hyperparameters;
import io.finetune.contracts.Json;
import io.finetune.contracts.ModelArchive;
import io.finetune.contracts.ShardManifest;
import io.finetune.contracts.ShardReader;
import io.finetune.contracts.TokenizedExample;
import io.finetune.contracts.sample.SampleReviews;
import io.finetune.distilbert.BundledModels;
import io.finetune.distilbert.EncoderClassifier;
import io.finetune.distilbert.EpochResult;
import io.finetune.distilbert.Example;
import io.finetune.distilbert.FineTuner;
import io.finetune.distilbert.TextTokenizer;
import io.finetune.distilbert.TrainingConfig;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The trainer's validation pass and the evaluator's scorer, given the same checkpoint and the same examples, report the
 * same figures: so when a checkpoint's validation and test figures part, the examples differ, not the arithmetic. A
 * small run, 17 validation examples as in the case that raised the question. A run with a shorter maxLength than the
 * dataset's is where they parted: the trainer validated each example cut at the run's length, the evaluator scored
 * it whole.
 */
class SameExamplesScoreTheSameTest {
    private static final List<String> LABELS = List.of("negative", "positive");
    private static final int DATASET_MAX_LENGTH = 64;
    private static final int TRAIN = 40;
    private static final int VALIDATION = 17;
    private static final int SHORT_RUN = 10;

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "the run reads {0} tokens of examples tokenized at 64")
    @ValueSource(ints = {DATASET_MAX_LENGTH, SHORT_RUN})
    void theScorerReproducesTheTrainersValidationFigures(int runMaxLength) throws Exception {
        Path base = BundledModels.extract(BundledModels.DEMO_MODEL, tmp.resolve("base"));
        List<TokenizedExample> reviews = tokenizedReviews(base);
        List<TokenizedExample> validation = reviews.subList(TRAIN, TRAIN + VALIDATION);
        assertThat(validation).as("examples the short run cuts").anyMatch(e -> e.inputIds().length > SHORT_RUN);
        TrainingConfig config = TrainingConfig.defaults().withLearningRate(1e-3).withBatchSize(8).withEpochs(2)
                .withSeed(1).withMaxLength(runMaxLength);
        Path dir = tmp.resolve("job-final");
        EpochResult kept;
        try (EncoderClassifier model = EncoderClassifier.load(base, LABELS, Device.cpu())) {
            kept = new FineTuner(config).train(model, examples(reviews.subList(0, TRAIN)), examples(validation), null)
                    .bestEpoch();
            model.save(dir);
        }
        Path archive = checkpoint(base, dir, kept, runMaxLength);

        EvaluationResult scored = scorerOn(validation).score("job-final", archive).result();

        assertThat(scored.examples()).isEqualTo(VALIDATION);
        assertThat(scored.accuracy()).isEqualTo(kept.validationAccuracy());
        assertThat(scored.logLoss()).isCloseTo(kept.validationLoss(), within(1e-6));
    }

    /** The final checkpoint as the trainer writes it: model, tokenizer, checkpoint.json with the run's settings. */
    private Path checkpoint(Path base, Path dir, EpochResult kept, int runMaxLength) throws Exception {
        EncoderClassifier.copyTokenizerFiles(base, dir);
        Hyperparameters effective = Json.read("{\"maxLength\": " + runMaxLength + "}", Hyperparameters.class);
        Files.writeString(dir.resolve(CheckpointInfo.FILE_NAME), Json.write(new CheckpointInfo(CheckpointInfo.VERSION,
                "job", "job-final", "reviews", "b1", BundledModels.DEMO_MODEL, kept.epoch(), kept.step(), true,
                kept.trainLoss(), kept.validationLoss(), kept.validationAccuracy(), null, List.of(), effective,
                false)));
        Path archive = tmp.resolve("job-final.zip");
        Files.write(archive, ModelArchive.zip(dir));
        return archive;
    }

    /** The service's scorer, reading {@code examples} as the dataset's test split. */
    private CheckpointScorer scorerOn(List<TokenizedExample> examples) {
        TestEvaluatorConfig config = TestEvaluatorConfig.in(tmp.resolve("evaluator"));
        ShardManifest manifest = new ShardManifest(ShardManifest.VERSION, "reviews", "b1", LABELS, Map.of("test", 1),
                Map.of(), BundledModels.DEMO_MODEL, BundledModels.DEMO_MODEL, DATASET_MAX_LENGTH, "h", null);
        DatasetShards shards = new DatasetShards(manifest, Map.of("test", examples));
        TestSetCache testSets = new TestSetCache(config, new ShardReader(Map.of())) {
            @Override
            public synchronized Optional<DatasetShards> get(String dataset, String build) {
                return Optional.of(shards);
            }
        };
        return new CheckpointScorer(new Workspace(config), testSets, config, new EvaluationPrecision(config));
    }

    private static List<TokenizedExample> tokenizedReviews(Path model) {
        try (TextTokenizer tokenizer = TextTokenizer.load(model, DATASET_MAX_LENGTH)) {
            return SampleReviews.generate(TRAIN + VALIDATION, 1).stream().map(r -> new TokenizedExample(r.id(),
                    LABELS.indexOf(r.label()), tokenizer.encode(r.text()).intIds())).toList();
        }
    }

    private static List<Example> examples(List<TokenizedExample> tokenized) {
        return tokenized.stream().map(e -> new Example(e.inputIds(), e.label())).toList();
    }
}

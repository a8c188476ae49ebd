package io.finetune.evaluator.domain;

import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.ClassMetrics;
import io.finetune.contracts.DatasetShards;
import io.finetune.contracts.EvaluationResult;
import io.finetune.contracts.Json;
import io.finetune.contracts.ModelArchive;
import io.finetune.contracts.TokenizedExample;
import io.finetune.distilbert.EncoderClassifier;
import io.finetune.distilbert.EncoderConfig;
import io.finetune.distilbert.Predictor;
import io.finetune.distilbert.Truncation;
import io.finetune.distilbert.metrics.ClassificationMetrics;
import io.finetune.distilbert.metrics.PerClassMetrics;
import io.finetune.evaluator.config.EvaluatorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Turns a verified checkpoint archive into an evaluation: extracts it, reads {@code checkpoint.json}, finds the
 * dataset's held-out split, checks that model and data fit each other, predicts in eval mode and computes the
 * metrics. Blocking and CPU/GPU heavy: never call it on an event loop.
 */
@ApplicationScoped
public class CheckpointScorer {
    private static final Logger LOG = Logger.getLogger(CheckpointScorer.class);
    /** The test split when the dataset has one; else validation, which the trainer only used to report on. */
    private static final List<String> SPLITS = List.of("test", "validation");

    private final Workspace workspace;
    private final TestSetCache testSets;
    private final EvaluatorConfig config;
    private final EvaluationPrecision precision;

    public CheckpointScorer(Workspace workspace, TestSetCache testSets, EvaluatorConfig config,
                            EvaluationPrecision precision) {
        this.workspace = workspace;
        this.testSets = testSets;
        this.config = config;
        this.precision = precision;
    }

    public EvaluatedCheckpoint score(String checkpointId, Path archive) {
        Path modelDir = workspace.modelOf(checkpointId);
        Workspace.deleteTree(modelDir); // left over from a crash mid-evaluation
        try (InputStream in = Files.newInputStream(archive)) {
            ModelArchive.unzip(in, modelDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (IllegalArgumentException e) {
            throw new Rejection("invalid-archive", null, e.getMessage());
        }
        CheckpointInfo info = readInfo(checkpointId, modelDir);
        DatasetShards data = testSets.get(info.dataset(), info.build()).orElseThrow(() -> new Rejection(
                "unknown-dataset", info.dataset(), "dataset '" + info.dataset() + "' has no manifest"
                + (info.build() == null ? "" : " of build " + info.build() + ", the one the checkpoint was trained on,")
                + " on the shards topic"));
        String split = SPLITS.stream().filter(s -> !data.split(s).isEmpty()).findFirst().orElseThrow(() ->
                new Rejection("no-test-split", info.dataset(), "dataset '" + info.dataset()
                        + "' has no test or validation examples to evaluate on"));
        List<String> labels = data.manifest().labels();
        EncoderConfig modelConfig = readModelConfig(modelDir, info);
        checkFit(info, modelConfig, labels, data.split(split));
        List<TokenizedExample> examples = asTrained(data.split(split), Math.min(
                TrainedSettings.maxLength(info, data.manifest()), modelConfig.maxPositionEmbeddings()));

        long started = System.nanoTime();
        float[][] probabilities = probabilities(modelDir, examples);
        int[] truth = examples.stream().mapToInt(TokenizedExample::label).toArray();
        ClassificationMetrics m = ClassificationMetrics.compute(labels, truth, probabilities);
        LOG.infof("checkpoint %s (job %s, epoch %d): accuracy %.4f, macro F1 %.4f on %d %s examples (%s) in %d ms",
                checkpointId, info.jobId(), info.epoch(), m.accuracy(), m.macroF1(), m.examples(), split,
                precision.flag(), (System.nanoTime() - started) / 1_000_000);
        EvaluationResult result = new EvaluationResult(EvaluationResult.VERSION, info.jobId(), checkpointId,
                info.dataset(), info.epoch(), info.step(), split, m.examples(), m.accuracy(), m.logLoss(), m.macroF1(),
                m.weightedF1(), labels, m.perClass().stream().map(CheckpointScorer::published).toList(),
                m.confusionMatrix(), Instant.now(), m.rocAuc(), m.averagePrecision(),
                Calibration.expectedCalibrationError(truth, probabilities),
                Calibration.accuracyByLength(lengths(examples), correct(truth, probabilities)), precision.flag());
        ErrorAnalysis.Errors errors = ErrorAnalysis.of(examples, probabilities, labels, modelDir);
        return new EvaluatedCheckpoint(result, info, data.manifest(), curves(truth, probabilities, labels.size()),
                errors.mostConfident(), errors.highConfidence(), ModelFacts.of(modelConfig));
    }

    /**
     * The metrics of an evaluated checkpoint's model on one split of a dataset build, read and cut as
     * {@link #score} reads the test split: the promotion holdout (docs/serving.md#promotion) is scored this way.
     *
     * @param modelDir the checkpoint's extracted model
     * @param info     its checkpoint.json, for the run's maxLength
     * @throws Rejection when model and data do not fit (labels, vocabulary)
     */
    public ClassificationMetrics metricsOn(Path modelDir, CheckpointInfo info, DatasetShards data, String split) {
        List<String> labels = data.manifest().labels();
        EncoderConfig modelConfig = readModelConfig(modelDir, info);
        checkFit(info, modelConfig, labels, data.split(split));
        List<TokenizedExample> examples = asTrained(data.split(split), Math.min(
                TrainedSettings.maxLength(info, data.manifest()), modelConfig.maxPositionEmbeddings()));
        float[][] probabilities = probabilities(modelDir, examples);
        return ClassificationMetrics.compute(labels, examples.stream().mapToInt(TokenizedExample::label).toArray(),
                probabilities);
    }

    private float[][] probabilities(Path modelDir, List<TokenizedExample> examples) {
        try (EncoderClassifier model = EncoderClassifier.load(modelDir, null, Predictions.device(config))) {
            return Predictor.probabilities(model, examples.stream().map(TokenizedExample::inputIds).toList(),
                    config.batchSize(), precision.get());
        }
    }

    /**
     * The examples cut at the run's length, as the trainer's training and validation passes read them: a run with a
     * shorter maxLength than the dataset's never saw the tokens past it, and its validation figures do not count
     * them either.
     */
    private static List<TokenizedExample> asTrained(List<TokenizedExample> examples, int maxLength) {
        return examples.stream().map(e -> new TokenizedExample(e.id(), e.label(),
                Truncation.toLength(e.inputIds(), maxLength))).toList();
    }

    /** One class's metrics in the published result's terms. */
    private static ClassMetrics published(PerClassMetrics c) {
        return new ClassMetrics(c.label(), c.precision(), c.recall(), c.f1(), c.support());
    }

    private static int[] lengths(List<TokenizedExample> examples) {
        return examples.stream().mapToInt(e -> e.inputIds().length).toArray();
    }

    private static boolean[] correct(int[] truth, float[][] probabilities) {
        boolean[] correct = new boolean[truth.length];
        for (int i = 0; i < truth.length; i++) {
            correct[i] = ClassificationMetrics.argmax(probabilities[i]) == truth[i];
        }
        return correct;
    }

    private static Curves curves(int[] truth, float[][] probabilities, int classes) {
        if (classes != 2) {
            return null;
        }
        boolean[] positive = new boolean[truth.length];
        double[] scores = new double[truth.length];
        for (int i = 0; i < truth.length; i++) {
            positive[i] = truth[i] == 1;
            scores[i] = probabilities[i][1];
        }
        return Curves.of(positive, scores);
    }

    private static CheckpointInfo readInfo(String checkpointId, Path modelDir) {
        Path file = modelDir.resolve(CheckpointInfo.FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new Rejection("invalid-checkpoint", null, "the archive has no " + CheckpointInfo.FILE_NAME);
        }
        CheckpointInfo info;
        try {
            info = Json.read(Files.readString(file), CheckpointInfo.class);
        } catch (IOException | RuntimeException e) {
            throw new Rejection("invalid-checkpoint", null, "unreadable " + CheckpointInfo.FILE_NAME + ": "
                    + e.getMessage());
        }
        if (info.dataset() == null || info.dataset().isBlank()) {
            throw new Rejection("invalid-checkpoint", null, CheckpointInfo.FILE_NAME + " names no dataset");
        }
        if (!checkpointId.equals(info.checkpointId())) {
            // The key routes and deduplicates; an archive claiming another id would file its result under the wrong one.
            throw new Rejection("invalid-checkpoint", info.dataset(), "chunks are keyed " + checkpointId
                    + " but the archive describes checkpoint " + info.checkpointId());
        }
        return info;
    }

    private static EncoderConfig readModelConfig(Path modelDir, CheckpointInfo info) {
        try {
            return EncoderConfig.read(modelDir.resolve("config.json"));
        } catch (RuntimeException e) {
            throw new Rejection("invalid-checkpoint", info.dataset(), "unreadable config.json: " + e.getMessage());
        }
    }

    /**
     * Model and data must agree before predicting: label i of the model must be label i of the dataset, and every
     * token must be in the model's vocabulary. A mismatch means a different tokenizer or label order, which would
     * otherwise yield wrong metrics or a failure deep inside PyTorch. (Examples longer than the model's positions
     * are cut to them, as the trainer cuts them.)
     */
    private static void checkFit(CheckpointInfo info, EncoderConfig model, List<String> labels,
                                 List<TokenizedExample> examples) {
        if (!model.labels().equals(labels)) {
            throw new Rejection("label-mismatch", info.dataset(), "the model predicts " + model.labels() + " but dataset '" + info.dataset() + "' has labels " + labels);
        }
        for (TokenizedExample example : examples) {
            for (int id : example.inputIds()) {
                if (id < 0 || id >= model.vocabSize()) {
                    throw new Rejection("token-out-of-vocabulary", info.dataset(), "example " + example.id()
                            + " has token id " + id + " outside the model's vocabulary of " + model.vocabSize());
                }
            }
        }
    }
}

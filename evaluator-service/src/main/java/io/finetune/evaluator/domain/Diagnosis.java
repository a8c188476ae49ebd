package io.finetune.evaluator.domain;

import io.finetune.contracts.CheckpointInfo.EpochMetrics;
import io.finetune.contracts.CleaningReport;
import io.finetune.contracts.Hyperparameters;
import io.finetune.contracts.ShardManifest;
import io.finetune.contracts.TrainingJob;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What to do when a fine-tuned model is not good enough: reads one evaluated checkpoint (its training history, the
 * dataset manifest, its test metrics and errors) and lists the symptoms it shows, each with its evidence and a
 * concrete change. Plain Java, no I/O: every rule is a few comparisons against {@link Thresholds}.
 */
public final class Diagnosis {

    /** Where a symptom starts. The defaults are rules of thumb for fine-tuning BERT-sized models. */
    public record Thresholds(double overfitRise, double stillFalling, double underfitLossShare,
                             double nearChanceMargin, double imbalanceRatio, double truncatedShare,
                             int minTrainExamples, double noisyErrorShare, int minNoisyErrors,
                             double divergenceRise,
                             // 2× the top of the BERT paper's fine-tuning range (2e-5 to 5e-5): above it each step
                             // moves a pretrained encoder's weights far enough to overwrite what pretraining learned
                             // (catastrophic forgetting) faster than a small task dataset can replace it.
                             double riskyLearningRate,
                             // The BERT paper fine-tunes for 2, 3 or 4 epochs; a pretrained run planned for more
                             // should stop when validation stops improving, not train on regardless.
                             int maxEpochsWithoutEarlyStopping,
                             // Below this many training examples (a few hundred per class), the general features of
                             // a pretrained encoder's embeddings and lower layers are worth more than what the data
                             // can teach them: freeze them, and a run from scratch misses them most. A rule of
                             // thumb, not measured here.
                             int smallTrainExamples) {
        public static Thresholds defaults() {
            return new Thresholds(0.05, 0.02, 0.9, 0.05, 3.0, 0.10, 1000, 0.05, 3, 0.10, 1e-4, 4, 2000);
        }
    }

    /**
     * The facts a diagnosis reads, in plain values so tests can build any run.
     *
     * @param hyperparameters what the run trained with ({@link TrainedSettings#of})
     * @param guards          the run's transfer learning settings; null when the checkpoint's description is missing
     * @param model           the model's family and positions; null for an evaluation stored before they were
     *                        recorded
     * @param gap             validation against test accuracy; null where there is nothing to compare
     */
    public record Run(String jobId, List<EpochMetrics> history, Hyperparameters hyperparameters, ShardManifest data,
                      int testExamples, double testAccuracy, int classes, int highConfidenceErrors,
                      TransferGuards guards, ModelFacts model, AccuracyGap gap) {
        public static Run of(EvaluatedCheckpoint e) {
            return new Run(e.result().jobId(), e.checkpoint() == null || e.checkpoint().history() == null ? List.of()
                    : e.checkpoint().history(), TrainedSettings.of(e.checkpoint()),
                    e.data(), e.result().examples(), e.result().accuracy(), e.result().labels().size(),
                    e.highConfidenceErrors(), TransferGuards.of(e.checkpoint()), e.model(),
                    AccuracyGap.of(e).orElse(null));
        }
    }

    private final Thresholds t;

    public Diagnosis(Thresholds thresholds) {
        this.t = thresholds;
    }

    public List<Finding> diagnose(Run run) {
        List<Finding> findings = new ArrayList<>();
        boolean diverged = divergence(run, findings);
        boolean overfit = false;
        boolean underfit = false;
        if (!diverged) {
            overfit = overfitting(run, findings);
            if (!overfit) {
                tooFewEpochs(run, findings);
            }
            underfit = underfitting(run, findings);
        }
        forgetting(run, overfit, underfit, findings);
        imbalance(run, findings);
        truncation(run, findings);
        tooLittleData(run, findings);
        labelNoise(run, findings);
        validationTestGap(run, findings);
        return findings;
    }

    private boolean divergence(Run run, List<Finding> out) {
        List<EpochMetrics> h = run.history();
        for (EpochMetrics e : h) {
            if (!Double.isFinite(e.trainLoss()) || !Double.isFinite(e.validationLoss())) {
                out.add(new Finding("divergence", "Training diverged", fmt("epoch %d has training loss %s and "
                        + "validation loss %s", e.epoch(), e.trainLoss(), e.validationLoss()), lowerLr(run)));
                return true;
            }
        }
        if (h.size() >= 2) {
            double first = h.get(0).trainLoss();
            double last = h.get(h.size() - 1).trainLoss();
            if (last > first * (1 + t.divergenceRise())) {
                out.add(new Finding("divergence", "Training loss is rising", fmt("training loss went from %.4f "
                        + "(epoch %d) to %.4f (epoch %d)", first, h.get(0).epoch(), last,
                        h.get(h.size() - 1).epoch()), lowerLr(run)));
                return true;
            }
        }
        return false;
    }

    private boolean overfitting(Run run, List<Finding> out) {
        List<EpochMetrics> h = run.history();
        if (h.size() < 2) {
            return false;
        }
        EpochMetrics lowest = h.get(0);
        for (EpochMetrics e : h) {
            lowest = e.validationLoss() < lowest.validationLoss() ? e : lowest;
        }
        EpochMetrics last = h.get(h.size() - 1);
        boolean valRose = last.validationLoss() > lowest.validationLoss() * (1 + t.overfitRise());
        if (valRose && last.trainLoss() < lowest.trainLoss()) {
            TransferGuards g = pretrained(run) ? run.guards() : null;
            out.add(new Finding("overfitting", "Overfitting", fmt("validation loss rose from %.4f (epoch %d) to "
                            + "%.4f (epoch %d) while training loss fell from %.4f to %.4f", lowest.validationLoss(),
                    lowest.epoch(), last.validationLoss(), last.epoch(), lowest.trainLoss(), last.trainLoss())
                    + (g == null ? "" : pastTheMinimum(g, h.size() - 1 - h.indexOf(lowest))),
                    fmt("%s; train %d epoch(s) or set earlyStoppingPatience=1; %sadd training data", keep(run, lowest),
                            lowest.epoch(), moreWeightDecay(run))));
            return true;
        }
        return false;
    }

    /** Weight decay of 0.1 regularises; a run already there is not told to raise it. */
    private static String moreWeightDecay(Run run) {
        Double decay = run.hyperparameters() == null ? null : run.hyperparameters().weightDecay();
        return decay != null && decay >= 0.1 ? "" : fmt("raise weightDecay (now %s) to 0.1; ", value(decay));
    }

    /**
     * Which weights to keep: the job's final checkpoint holds the best evaluation by metricForBestModel (the trainer's
     * choice, on the validation split), which is the lowest validation loss only when that is the metric.
     */
    private static String keep(Run run, EpochMetrics lowestLoss) {
        TransferGuards g = run.guards();
        if (g == null || g.keptEpoch() == null) {
            return fmt("Use the job's final checkpoint (GET /jobs/%s/best): it holds the best evaluation by validation "
                    + "%s", run.jobId(), g == null ? "metricForBestModel" : g.metricForBestModel());
        }
        if (g.keptEpoch() == lowestLoss.epoch()) {
            return fmt("This final checkpoint already holds epoch %d's weights (the lowest validation loss), so the "
                    + "epochs after it cost time only", lowestLoss.epoch());
        }
        if (!"loss".equals(g.metricForBestModel())) {
            return fmt("This final checkpoint holds epoch %d's weights, the best by validation %s, while epoch %d had "
                    + "the lowest validation loss: train with metricForBestModel=loss to keep those", g.keptEpoch(),
                    g.metricForBestModel(), lowestLoss.epoch());
        }
        // Only a checkpoint from a trainer that did not keep the best weights gets here.
        return fmt("This final checkpoint holds epoch %d's weights, while epoch %d had the lowest validation loss: "
                + "take that epoch's checkpoint from GET /jobs/%s/evaluations", g.keptEpoch(), lowestLoss.epoch(),
                run.jobId());
    }

    /** Overfitting on a pretrained run is also forgetting: said here, so no second finding repeats it. */
    private static String pastTheMinimum(TransferGuards g, int evaluations) {
        return fmt("; pretrained %s trained on for %d evaluation(s) past the minimum (epochs=%d, %s): the further "
                + "fine-tuning goes past it, the more of what pretraining learned it overwrites (catastrophic "
                + "forgetting)", g.baseModel(), evaluations, g.plannedEpochs(), earlyStopping(g));
    }

    /**
     * Catastrophic forgetting: how a pretrained run may have lost what its encoder knew, or, for a run from scratch,
     * what pretraining would have brought. Overfitting already covers validation loss rising after its minimum, so
     * no-early-stopping stays quiet when it fired; underfitting says to unfreeze, so freezing is not suggested then.
     */
    private void forgetting(Run run, boolean overfit, boolean underfit, List<Finding> out) {
        TransferGuards g = run.guards();
        if (g == null || g.pretrained() == null) {
            return;
        }
        if (!g.pretrained()) {
            scratchOnSmallData(run, g, out);
            return;
        }
        highLearningRate(g, out);
        if (!overfit) {
            noEarlyStopping(run, g, out);
        }
        if (!underfit) {
            freezeOnSmallData(run, g, out);
        }
    }

    private void highLearningRate(TransferGuards g, List<Finding> out) {
        if (g.learningRate() > t.riskyLearningRate()) {
            out.add(new Finding("high-learning-rate", "Learning rate high enough to erase pretraining", fmt(
                    "learningRate %s on pretrained %s is %.1f× the top of the usual fine-tuning range for "
                            + "BERT-family encoders (%s to %s)", TransferGuards.setting(g.learningRate()),
                    g.baseModel(), g.learningRate() / TransferGuards.FINE_TUNING_LR_HIGH,
                    TransferGuards.setting(TransferGuards.FINE_TUNING_LR_LOW),
                    TransferGuards.setting(TransferGuards.FINE_TUNING_LR_HIGH)), fmt("Train again with "
                    + "learningRate=3e-5 and warmupRatio=0.1 (now %s): steps this large overwrite what the encoder "
                    + "learned in pretraining (catastrophic forgetting); compare the two runs with GET /compare",
                    TransferGuards.setting(g.warmupRatio()))));
        }
    }

    private void noEarlyStopping(Run run, TransferGuards g, List<Finding> out) {
        if (g.earlyStoppingPatience() == 0 && g.plannedEpochs() > t.maxEpochsWithoutEarlyStopping()) {
            out.add(new Finding("no-early-stopping", "Many epochs without early stopping", fmt("epochs=%d with "
                            + "earlyStoppingPatience=0 on pretrained %s; fine-tuning usually needs 2 to %d epochs",
                    g.plannedEpochs(), g.baseModel(), t.maxEpochsWithoutEarlyStopping()), fmt("Set "
                            + "earlyStoppingPatience=1 (watching validation %s) so training ends once it stops "
                            + "improving: every epoch past the best one moves the encoder further from what "
                            + "pretraining learned%s%s", g.metricForBestModel(), hasValidation(run) ? ""
                            : "; early stopping needs a validation split, so prepare the dataset with a "
                            + "validationFraction", g.loadBestModelAtEnd() ? "" : "; it also needs evaluations "
                            + "while training (evalStrategy epoch or steps) and loadBestModelAtEnd true")));
        }
    }

    private void freezeOnSmallData(Run run, TransferGuards g, List<Finding> out) {
        int train = trainExamples(run);
        if (run.data() != null && train < t.smallTrainExamples() && g.nothingFrozen()) {
            out.add(new Finding("freeze-lower-layers", "Small dataset: consider freezing the lower layers", fmt(
                    "%d training examples update every weight of pretrained %s, embeddings included "
                            + "(freezeEmbeddings=false, freezeLayers=0)", train, g.baseModel()), fmt("Try "
                    + "freezeEmbeddings=true and freezeLayers=2: the embeddings and lower layers keep the general "
                    + "language features pretraining learned, which %d examples cannot improve on; compare with "
                    + "this run (GET /compare?jobs=%s,NEW_JOB)", train, run.jobId())));
        }
    }

    private void scratchOnSmallData(Run run, TransferGuards g, List<Finding> out) {
        int train = trainExamples(run);
        if (run.data() == null || train >= t.smallTrainExamples()) {
            return;
        }
        String pretrainedModel = run.data().model();
        boolean ownVocabulary = run.data().tokenizerArchive() != null || TrainingJob.fromScratch(pretrainedModel);
        out.add(new Finding("scratch-on-small-data", "Trained from scratch on a small dataset", fmt("base model %s "
                + "starts from new weights, so there is no pretrained knowledge to lose, but also none to build on: "
                + "%d training examples are all it learns language from", g.baseModel(), train),
                ownVocabulary ? "A pretrained base model usually helps most on small data: prepare the dataset "
                        + "again with a pretrained model's tokenizer (model distilbert-base-uncased, say), fine-tune "
                        + "that model on it and compare the runs with GET /compare"
                        : fmt("A pretrained base model usually helps most on small data: train baseModel=%s on the "
                        + "same dataset build (its token ids already fit) and compare the runs with GET /compare",
                        pretrainedModel)));
    }

    private static boolean pretrained(Run run) {
        return run.guards() != null && Boolean.TRUE.equals(run.guards().pretrained());
    }

    private static String earlyStopping(TransferGuards g) {
        return g.earlyStoppingPatience() == 0 ? "early stopping off"
                : fmt("earlyStoppingPatience=%d", g.earlyStoppingPatience());
    }

    private static boolean hasValidation(Run run) {
        return run.data() == null || run.data().counts() == null
                || run.data().counts().getOrDefault("validation", Map.of()).values().stream()
                .mapToInt(Integer::intValue).sum() > 0;
    }

    private void tooFewEpochs(Run run, List<Finding> out) {
        List<EpochMetrics> h = run.history();
        if (h.size() < 2) {
            return;
        }
        EpochMetrics previous = h.get(h.size() - 2);
        EpochMetrics last = h.get(h.size() - 1);
        if (last.validationLoss() < previous.validationLoss() * (1 - t.stillFalling())) {
            out.add(new Finding("too-few-epochs", "Still improving when training stopped", fmt("validation loss "
                            + "fell from %.4f to %.4f in the last epoch (%d)", previous.validationLoss(),
                    last.validationLoss(), last.epoch()), fmt("Train longer: epochs=%d, and compare the runs with "
                    + "GET /compare", last.epoch() + 2)));
        }
    }

    private boolean underfitting(Run run, List<Finding> out) {
        // Equal probability for each of k classes loses ln(k) per example, with or without class weights and label
        // smoothing: the loss of guessing.
        double guessingLoss = Math.log(run.classes());
        double majority = majorityShare(run);
        Double lastTrain = run.history().isEmpty() ? null : run.history().get(run.history().size() - 1).trainLoss();
        boolean highLoss = lastTrain != null && lastTrain > t.underfitLossShare() * guessingLoss;
        boolean worseThanGuessing = highLoss && lastTrain > guessingLoss;
        boolean nearChance = run.testAccuracy() <= majority + t.nearChanceMargin();
        if (highLoss || nearChance) {
            String evidence = (highLoss ? fmt("final training loss %.4f is %s the %.4f of guessing (equal "
                    + "probability for each of %d classes); ", lastTrain, worseThanGuessing ? "worse than guessing: "
                    + "above" : "near", guessingLoss, run.classes()) : "") + againstMajority(run, majority);
            Hyperparameters hp = run.hyperparameters();
            String frozen = hp != null && (Boolean.TRUE.equals(hp.freezeEmbeddings())
                    || (hp.freezeLayers() != null && hp.freezeLayers() > 0)) ? "; unfreeze layers" : "";
            String epochs = value(hp == null ? null : hp.epochs());
            out.add(new Finding("underfitting", "Underfitting", evidence, worseThanGuessing
                    ? fmt("%s: a training loss above guessing means confidently wrong answers, often from steps too "
                    + "large; train more epochs (now %s)%s and check that the labels follow from the text",
                    lowerLr(run), epochs, frozen)
                    : fmt("Train more epochs (now %s)%s%s; check that the labels follow from the text", epochs,
                    faster(hp), frozen)));
        }
        return highLoss || nearChance;
    }

    private String againstMajority(Run run, double majority) {
        double accuracy = run.testAccuracy();
        if (accuracy < majority) {
            return fmt("test accuracy %.4f is below the %.4f of always predicting the most frequent class", accuracy,
                    majority);
        }
        return fmt("test accuracy %.4f is %s the %.4f of always predicting the most frequent class", accuracy,
                accuracy <= majority + t.nearChanceMargin() ? fmt("within %.0f points of", 100 * t.nearChanceMargin())
                        : "above", majority);
    }

    private static String faster(Hyperparameters hp) {
        Double lr = hp == null ? null : hp.learningRate();
        return lr == null ? " and try learningRate=5e-5"
                : lr < 5e-5 ? fmt(" and try learningRate=5e-5 (now %s)", shortNumber(lr)) : "";
    }

    private void imbalance(Run run, List<Finding> out) {
        Map<String, Integer> train = trainCounts(run);
        if (train.size() < 2) {
            return;
        }
        var max = train.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
        var min = train.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow();
        if (max.getValue() >= t.imbalanceRatio() * Math.max(1, min.getValue())) {
            out.add(new Finding("class-imbalance", "Imbalanced classes", fmt("training split has %d '%s' but only "
                            + "%d '%s' examples (%.1f : 1)", max.getValue(), max.getKey(), min.getValue(), min.getKey(),
                    max.getValue() / (double) Math.max(1, min.getValue())), fmt("Collect more '%s' examples or "
                    + "prepare the dataset again with balancing on; judge the model by macro F1 and per-class "
                    + "recall, not accuracy", min.getKey())));
        }
    }

    private void truncation(Run run, List<Finding> out) {
        CleaningReport report = run.data() == null ? null : run.data().report();
        int total = totalExamples(run);
        if (report == null || total == 0) {
            return;
        }
        double share = report.truncated() / (double) total;
        if (share > t.truncatedShare()) {
            out.add(new Finding("truncation", "Many inputs truncated", fmt("%d of %d examples (%.0f%%) were cut at "
                            + "%d tokens", report.truncated(), total, 100 * share, run.data().maxLength()),
                    longerInputs(run)));
        }
    }

    /** How to let the model read more of each text: as far as its positions go, with the run's maxLength along. */
    private static String longerInputs(Run run) {
        int length = run.data().maxLength();
        String otherwise = "keep the part of each text that carries the label";
        ModelFacts m = run.model();
        if (m == null) {
            return fmt("Raise maxLength (now %d) up to the model's max_position_embeddings (its config.json), or %s",
                    length, otherwise);
        }
        String model = fmt("%s (%s)", run.guards() == null || run.guards().baseModel() == null ? "the model"
                : run.guards().baseModel(), m.modelType());
        if (length >= m.maxPositionEmbeddings()) {
            return fmt("maxLength %d already uses all %d positions of %s: %s, or fine-tune a base model with more "
                    + "positions", length, m.maxPositionEmbeddings(), model, otherwise);
        }
        Integer runLength = run.hyperparameters() == null ? null : run.hyperparameters().maxLength();
        String alongWith = runLength != null && runLength < m.maxPositionEmbeddings()
                ? fmt(" and train with maxLength as large (this run's is %d)", runLength) : "";
        return fmt("Prepare the dataset again with a larger maxLength (now %d; %s takes up to %d tokens)%s, or %s",
                length, model, m.maxPositionEmbeddings(), alongWith, otherwise);
    }

    private void tooLittleData(Run run, List<Finding> out) {
        int train = trainExamples(run);
        if (run.data() != null && train < t.minTrainExamples()) {
            out.add(new Finding("too-little-data", "Too little training data", fmt("%d training examples for %d "
                    + "classes", train, run.classes()), fmt("Collect at least %d labelled examples (a few hundred "
                    + "per class); until then train more epochs with early stopping", t.minTrainExamples())));
        }
    }

    private void labelNoise(Run run, List<Finding> out) {
        int n = run.highConfidenceErrors();
        if (n >= t.minNoisyErrors() && n >= t.noisyErrorShare() * run.testExamples()) {
            out.add(new Finding("label-noise", "Suspected label noise", fmt("%d of %d test examples (%.1f%%) are "
                            + "wrong with at least %.0f%% confidence", n, run.testExamples(),
                    100.0 * n / run.testExamples(), 100 * EvaluatedCheckpoint.HIGH_CONFIDENCE),
                    "Read the most confidently wrong examples in the report; fix their labels (or drop them) and "
                            + "train again"));
        }
    }

    private static void validationTestGap(Run run, List<Finding> out) {
        AccuracyGap gap = run.gap();
        if (gap == null || !gap.beyondChance()) {
            return;
        }
        TransferGuards g = run.guards();
        String selected = g != null && g.keptEpoch() != null && run.history().size() > 1 ? fmt("; this final "
                + "checkpoint's validation figures are the best of %d evaluations, so they lean high",
                run.history().size()) : "";
        out.add(new Finding("validation-test-gap", "Validation and test disagree more than chance explains",
                gap.evidence() + selected, "The trainer's validation pass and this evaluation score the same "
                + "examples alike, so the splits differ: check that validation and test come from the same source (a "
                + "test split the source gave may not), look for validation examples repeated in the training data, "
                + "and hold out more examples before trusting either figure"));
    }

    private static String lowerLr(Run run) {
        Hyperparameters hp = run.hyperparameters();
        Double lr = hp == null ? null : hp.learningRate();
        return (lr == null ? "Lower learningRate to a third of what it was"
                : fmt("Lower learningRate to %s (now %s)", shortNumber(lr / 3), shortNumber(lr)))
                + fmt(", clip gradients at maxGradNorm=1.0 (now %s) and use warmupRatio=0.1 (now %s)",
                value(hp == null ? null : hp.maxGradNorm()), value(hp == null ? null : hp.warmupRatio()));
    }

    private static Map<String, Integer> trainCounts(Run run) {
        return run.data() == null || run.data().counts() == null ? Map.of()
                : run.data().counts().getOrDefault("train", Map.of());
    }

    private static int trainExamples(Run run) {
        return trainCounts(run).values().stream().mapToInt(Integer::intValue).sum();
    }

    private static int totalExamples(Run run) {
        return run.data() == null || run.data().counts() == null ? 0 : run.data().counts().values().stream()
                .flatMap(m -> m.values().stream()).mapToInt(Integer::intValue).sum();
    }

    /** Accuracy of always answering the most frequent class on the test split; 1/k without a manifest. */
    private static double majorityShare(Run run) {
        Map<String, Integer> train = run.data() == null || run.data().counts() == null ? Map.of()
                : run.data().counts().getOrDefault("test", trainCounts(run));
        int total = train.values().stream().mapToInt(Integer::intValue).sum();
        return total == 0 ? 1.0 / run.classes()
                : train.values().stream().mapToInt(Integer::intValue).max().orElse(0) / (double) total;
    }

    /** A setting as trained; null only for checkpoints that predate recording the effective settings. */
    private static String value(Object v) {
        return v == null ? "the trainer's default" : v instanceof Double d ? shortNumber(d) : v.toString();
    }

    private static String shortNumber(double d) {
        return String.format(Locale.ROOT, "%.2g", d).replace("e-0", "e-");
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}

package io.finetune.evaluator.domain;

import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.CheckpointInfo.EpochMetrics;
import io.finetune.contracts.Hyperparameters;
import io.finetune.contracts.TrainingJob;
import io.finetune.distilbert.TrainingConfig;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;

/**
 * What a run did to keep what its pretrained encoder knew (transfer learning's guards against catastrophic
 * forgetting): the base model, a low learning rate, few epochs, early stopping and the best checkpoint kept, warmup,
 * weight decay and frozen layers. Read from the checkpoint's {@code checkpoint.json}.
 *
 * @param baseModel             the job's base model; null when the checkpoint does not name one
 * @param pretrained            false for {@code scratch} / {@code scratch:<shape>} (new weights), true for any other
 *                              base model, null when the base model is unknown
 * @param plannedEpochs         the job's {@code epochs}
 * @param epochsRun             the epoch of the last evaluation in the history
 * @param stoppedEarly          whether early stopping ended training; null when not known (a checkpoint published
 *                              before the run ended, or an older checkpoint that does not say)
 * @param keptEpoch             for the final checkpoint, the epoch of the evaluation whose weights it holds (the best
 *                              by {@code metricForBestModel}, or the last); null for a checkpoint published after an
 *                              evaluation
 * @param loadBestModelAtEnd    whether the final checkpoint holds the best evaluation's weights; false: the last ones
 *                              (and always with {@code evalStrategy} {@code no})
 * @param settingsRecorded      true when the trainer recorded the settings it ran with; false for an older
 *                              checkpoint, where settings the job left out are taken as the trainer's defaults
 */
public record TransferGuards(String baseModel, Boolean pretrained, double learningRate, int plannedEpochs,
                             int epochsRun, int earlyStoppingPatience, Boolean stoppedEarly, Integer keptEpoch,
                             String metricForBestModel, boolean loadBestModelAtEnd, double warmupRatio,
                             double weightDecay, boolean freezeEmbeddings, int freezeLayers,
                             boolean settingsRecorded) {
    /**
     * The learning rates the BERT paper fine-tunes with (Devlin et al. 2019, appendix A.3: 5e-5, 3e-5, 2e-5), which
     * Hugging Face's guides use too.
     */
    public static final double FINE_TUNING_LR_LOW = 2e-5;
    public static final double FINE_TUNING_LR_HIGH = 5e-5;

    /** The guards of the run behind {@code info}; null without a checkpoint.json. */
    public static TransferGuards of(CheckpointInfo info) {
        if (info == null) {
            return null;
        }
        Hyperparameters trained = TrainedSettings.of(info);
        Hyperparameters h = trained != null ? trained : Hyperparameters.defaults();
        TrainingConfig d = TrainingConfig.defaults();
        List<EpochMetrics> history = info.history() == null ? List.of() : info.history();
        int epochsRun = history.isEmpty() ? info.epoch() : history.get(history.size() - 1).epoch();
        int planned = or(h.epochs(), d.epochs());
        int patience = or(h.earlyStoppingPatience(), d.earlyStoppingPatience());
        Boolean pretrained = info.baseModel() == null ? null : !TrainingJob.fromScratch(info.baseModel());
        return new TransferGuards(info.baseModel(), pretrained, or(h.learningRate(), d.learningRate()), planned,
                epochsRun, patience, stoppedEarly(info, patience, epochsRun, planned),
                info.last() ? info.epoch() : null, TrainedSettings.metricForBestModel(info),
                or(h.loadBestModelAtEnd(), d.loadBestModelAtEnd()), or(h.warmupRatio(), d.warmupRatio()),
                or(h.weightDecay(), d.weightDecay()),
                or(h.freezeEmbeddings(), d.freezeEmbeddings()), or(h.freezeLayers(), d.freezeLayers()),
                info.effectiveHyperparameters() != null);
    }

    /** A setting as one would type it in a job: 2e-5, 3e-4, 0.01, 0.1. */
    public static String setting(double v) {
        if (v != 0 && Math.abs(v) < 1e-3) {
            return String.format(Locale.ROOT, "%.1e", v).replaceFirst("\\.0e", "e").replaceFirst("e-0*", "e-");
        }
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    /** True when no layer of the encoder is frozen: every pretrained weight is open to change. */
    public boolean nothingFrozen() {
        return !freezeEmbeddings && freezeLayers == 0;
    }

    /**
     * As recorded; for an older final checkpoint what the settings prove: without patience training cannot stop
     * early, and a finished run that ran fewer epochs than planned was stopped by it (a cancelled or failed run
     * publishes no final checkpoint).
     */
    private static Boolean stoppedEarly(CheckpointInfo info, int patience, int epochsRun, int planned) {
        if (info.stoppedEarly() != null || !info.last()) {
            return info.stoppedEarly();
        }
        return patience == 0 ? Boolean.FALSE : epochsRun < planned ? Boolean.TRUE : null;
    }

    private static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }
}

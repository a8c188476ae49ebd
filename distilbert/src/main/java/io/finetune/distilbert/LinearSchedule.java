package io.finetune.distilbert;

/**
 * Hugging Face's {@code get_linear_schedule_with_warmup}: the learning rate rises linearly from 0 over the warmup
 * steps, then falls linearly to 0 at {@code totalSteps}. Step {@code s} (0-based) is the s-th optimizer update.
 */
public record LinearSchedule(double peakLearningRate, long warmupSteps, long totalSteps) {

    /** warmup = ceil(totalSteps × warmupRatio), as {@code TrainingArguments.get_warmup_steps}. */
    public static LinearSchedule of(double peakLearningRate, double warmupRatio, long totalSteps) {
        return new LinearSchedule(peakLearningRate, (long) Math.ceil(totalSteps * warmupRatio), totalSteps);
    }

    public double learningRate(long step) {
        if (step < warmupSteps) {
            return peakLearningRate * step / Math.max(1, warmupSteps);
        }
        double factor = (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps);
        return peakLearningRate * Math.max(0.0, factor);
    }
}

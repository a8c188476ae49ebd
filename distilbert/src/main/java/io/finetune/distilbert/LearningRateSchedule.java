package io.finetune.distilbert;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The learning rate of each optimizer step, as Hugging Face's {@code get_scheduler} computes it for
 * {@code lr_scheduler_type}: warmup rises linearly from 0 over {@code warmupSteps}, then {@code linear} falls
 * linearly to 0 at {@code totalSteps}, {@code cosine} follows half a cosine down to 0, {@code constant_with_warmup}
 * stays at the peak, and {@code constant} is the peak from the first step (it has no warmup, in transformers
 * either). Step {@code s} (0-based) is the s-th optimizer update.
 */
public record LearningRateSchedule(Type type, double peakLearningRate, long warmupSteps, long totalSteps) {
    /** transformers' {@code SchedulerType} values this trainer implements. */
    public enum Type {
        LINEAR, COSINE, CONSTANT, CONSTANT_WITH_WARMUP;

        /** Hugging Face's spelling: {@code linear}, {@code cosine}, {@code constant}, {@code constant_with_warmup}. */
        public String huggingFaceName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Type of(String name) {
            for (Type type : values()) {
                if (type.huggingFaceName().equals(name)) {
                    return type;
                }
            }
            throw new IllegalArgumentException("lr_scheduler_type must be one of " + names() + ", got '" + name + "'");
        }

        public static String names() {
            return Arrays.stream(values()).map(Type::huggingFaceName).collect(Collectors.joining(", "));
        }
    }

    /**
     * Warmup as {@code TrainingArguments.get_warmup_steps}: {@code warmupSteps} when above 0, else
     * ceil(totalSteps × warmupRatio).
     */
    public static LearningRateSchedule of(Type type, double peakLearningRate, long warmupSteps, double warmupRatio,
                                          long totalSteps) {
        long warmup = warmupSteps > 0 ? warmupSteps : (long) Math.ceil(totalSteps * warmupRatio);
        return new LearningRateSchedule(type, peakLearningRate, warmup, totalSteps);
    }

    public double learningRate(long step) {
        return peakLearningRate * factor(step);
    }

    private double factor(long step) {
        if (type == Type.CONSTANT) {
            return 1.0;
        }
        if (step < warmupSteps) {
            return (double) step / Math.max(1, warmupSteps);
        }
        return switch (type) {
            case LINEAR -> Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
            case COSINE -> {
                double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
                yield Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * progress))); // num_cycles = 0.5
            }
            case CONSTANT_WITH_WARMUP, CONSTANT -> 1.0;
        };
    }
}

package io.finetune.contracts;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The names a job's {@link Hyperparameters} may be given by: each setting's own name (the record component) and the
 * names a Hugging Face user already knows it by ({@code TrainingArguments}, or the callback or script it lives in),
 * so {@code {"learning_rate": 3e-5, "num_train_epochs": 5}} means what it says. Anything else is refused with its
 * name ({@link InvalidSettingsException}): a typo must not train on the defaults.
 */
public final class TrainingSettings {
    /**
     * One setting.
     *
     * @param name    the record component and the name job status and checkpoints record it under
     * @param aliases the Hugging Face spellings accepted for it
     */
    public record Setting(String name, List<String> aliases) {
    }

    /** Every setting, in the order of the record's components. */
    public static final List<Setting> ALL = List.of(
            new Setting("learningRate", List.of("learning_rate")),
            new Setting("batchSize", List.of("per_device_train_batch_size", "train_batch_size", "batch_size")),
            new Setting("epochs", List.of("num_train_epochs")),
            new Setting("weightDecay", List.of("weight_decay")),
            new Setting("warmupRatio", List.of("warmup_ratio")),
            new Setting("maxGradNorm", List.of("max_grad_norm")),
            new Setting("gradientAccumulationSteps", List.of("gradient_accumulation_steps")),
            // The tokenizer's truncation length; run_glue.py calls it max_seq_length.
            new Setting("maxLength", List.of("max_length", "max_seq_length")),
            new Setting("seed", List.of()),
            // EarlyStoppingCallback(early_stopping_patience=...).
            new Setting("earlyStoppingPatience", List.of("early_stopping_patience")),
            new Setting("freezeEmbeddings", List.of("freeze_embeddings")),
            new Setting("freezeLayers", List.of("freeze_layers")),
            new Setting("evalSteps", List.of("eval_steps")),
            new Setting("metricForBestModel", List.of("metric_for_best_model")),
            new Setting("saveStateEverySteps", List.of("save_steps")),
            new Setting("saveTotalLimit", List.of("save_total_limit")),
            new Setting("groupByLength", List.of("group_by_length")),
            new Setting("classWeights", List.of("class_weights")),
            new Setting("bf16", List.of()),
            new Setting("fp16", List.of()),
            new Setting("tf32", List.of()),
            new Setting("lrSchedulerType", List.of("lr_scheduler_type")),
            new Setting("warmupSteps", List.of("warmup_steps")),
            new Setting("adamBeta1", List.of("adam_beta1")),
            new Setting("adamBeta2", List.of("adam_beta2")),
            new Setting("adamEpsilon", List.of("adam_epsilon")),
            new Setting("labelSmoothingFactor", List.of("label_smoothing_factor")),
            new Setting("evalBatchSize", List.of("per_device_eval_batch_size", "eval_batch_size")),
            new Setting("dataSeed", List.of("data_seed")),
            new Setting("earlyStoppingThreshold", List.of("early_stopping_threshold")),
            new Setting("maxSteps", List.of("max_steps")),
            new Setting("evalStrategy", List.of("eval_strategy", "evaluation_strategy")),
            new Setting("loadBestModelAtEnd", List.of("load_best_model_at_end")),
            new Setting("greaterIsBetter", List.of("greater_is_better")));

    /**
     * {@code TrainingArguments} names this trainer does not offer (yet): refused with that reason rather than as
     * unknown, so a Hugging Face user learns the setting was understood and is not applied.
     */
    public static final Set<String> NOT_SUPPORTED = Set.of("optim", "save_strategy", "logging_steps", "logging_strategy",
            "gradient_checkpointing", "torch_compile", "dataloader_num_workers", "report_to", "output_dir",
            "push_to_hub", "resume_from_checkpoint", "auto_find_batch_size", "neftune_noise_alpha");

    /**
     * The file in a saved model directory that says what it was trained with, as Hugging Face's Trainer saves its
     * arguments beside the model (training_args.bin there; JSON here, readable without Python).
     */
    public static final String TRAINING_ARGS_FILE = "training_args.json";

    private static final Map<String, Setting> BY_NAME = index();

    /**
     * The settings under the names a Hugging Face user knows (a setting's first alias, or its own name where it has
     * none), absent ones left out: the content of {@link #TRAINING_ARGS_FILE}.
     */
    public static Map<String, Object> asTrainingArguments(Hyperparameters settings) {
        Map<String, Object> arguments = new LinkedHashMap<>();
        RecordComponent[] components = Hyperparameters.class.getRecordComponents();
        for (int i = 0; i < components.length; i++) {
            Setting setting = ALL.get(i);
            try {
                Object value = components[i].getAccessor().invoke(settings);
                if (value != null) {
                    arguments.put(setting.aliases().isEmpty() ? setting.name() : setting.aliases().get(0), value);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("Hyperparameters." + setting.name(), e);
            }
        }
        return arguments;
    }

    /** The setting a JSON key names, by its own name or a Hugging Face alias. */
    public static Optional<Setting> byName(String key) {
        return Optional.ofNullable(BY_NAME.get(key));
    }

    /** Why a key is refused: not supported, or unknown with the closest known names. */
    static String whyRefused(String key) {
        if (NOT_SUPPORTED.contains(key)) {
            return "'" + key + "' is a Hugging Face TrainingArguments setting this trainer does not support";
        }
        String lower = key.toLowerCase(Locale.ROOT);
        List<String> close = BY_NAME.keySet().stream()
                .filter(known -> distance(lower, known.toLowerCase(Locale.ROOT)) <= Math.max(2, key.length() / 4))
                .sorted().toList();
        return "'" + key + "' is not a training setting" + (close.isEmpty() ? "" : " (did you mean "
                + String.join(" or ", close.stream().map(c -> "'" + c + "'").toList()) + "?)");
    }

    private static Map<String, Setting> index() {
        List<String> components = Arrays.stream(Hyperparameters.class.getRecordComponents())
                .map(RecordComponent::getName).toList();
        List<String> names = ALL.stream().map(Setting::name).toList();
        if (!components.equals(names)) {
            throw new IllegalStateException("TrainingSettings.ALL must list Hyperparameters' components in order: "
                    + components + " vs " + names);
        }
        Map<String, Setting> index = new LinkedHashMap<>();
        for (Setting setting : ALL) {
            for (String key : concat(setting.name(), setting.aliases())) {
                if (index.put(key, setting) != null) {
                    throw new IllegalStateException("two settings are called " + key);
                }
            }
        }
        return Map.copyOf(index);
    }

    private static List<String> concat(String first, List<String> rest) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(first), rest.stream()).toList();
    }

    /** Levenshtein distance, for "did you mean". */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private TrainingSettings() {
    }
}

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
     * One setting. Its default and its allowed values are the trainer's ({@code TrainingConfig.defaults()} and
     * {@code TrainingConfig.RANGES}); docs/training.md's table is made from both (a test keeps it current).
     *
     * @param name        the record component and the name job status and checkpoints record it under
     * @param aliases     the Hugging Face spellings accepted for it, the usual one first
     * @param description what it does, for the docs table
     * @param defaultText the default in words, where it is another setting's value; null: the trainer's default value
     */
    public record Setting(String name, List<String> aliases, String description, String defaultText) {
        Setting(String name, List<String> aliases, String description) {
            this(name, aliases, description, null);
        }
    }

    /** Every setting, in the order of the record's components. */
    public static final List<Setting> ALL = List.of(
            new Setting("learningRate", List.of("learning_rate"), "peak learning rate"),
            new Setting("batchSize", List.of("per_device_train_batch_size", "train_batch_size", "batch_size"),
                    "examples per micro-batch"),
            new Setting("epochs", List.of("num_train_epochs"), "passes over the training split"),
            new Setting("weightDecay", List.of("weight_decay"),
                    "AdamW decoupled weight decay, not on biases and LayerNorm weights"),
            new Setting("warmupRatio", List.of("warmup_ratio"), "share of the steps with a rising learning rate"),
            new Setting("maxGradNorm", List.of("max_grad_norm"), "global-norm gradient clipping, 0 turns it off"),
            new Setting("gradientAccumulationSteps", List.of("gradient_accumulation_steps"),
                    "micro-batches per optimizer step"),
            // The tokenizer's truncation length; run_glue.py calls it max_seq_length.
            new Setting("maxLength", List.of("max_length", "max_seq_length"),
                    "tokens per example (the tokenizer's truncation length; `max_seq_length` in `run_glue.py`),"
                            + " capped by the model's positions"),
            new Setting("seed", List.of(), "shuffle order, dropout and a new classification head"),
            // EarlyStoppingCallback(early_stopping_patience=...).
            new Setting("earlyStoppingPatience", List.of("early_stopping_patience"),
                    "evaluations without a better `metricForBestModel` before stopping, 0 turns it off"
                            + " (an `EarlyStoppingCallback` setting)"),
            new Setting("freezeEmbeddings", List.of("freeze_embeddings"), "the embeddings are not trained"),
            new Setting("freezeLayers", List.of("freeze_layers"),
                    "how many transformer layers, counted from the input, are not trained; at most the model's layers"),
            new Setting("evalSteps", List.of("eval_steps"),
                    "evaluate every N optimizer steps and after the last one (`eval_strategy=\"steps\"`); 0 evaluates"
                            + " at every epoch end. Each evaluation publishes a checkpoint (`<job>-epoch-N` or"
                            + " `<job>-step-N`)"),
            new Setting("metricForBestModel", List.of("metric_for_best_model"),
                    "the validation metric that picks the final model and drives early stopping (`eval_` prefix"
                            + " accepted): `loss`, the training loss on the validation split (class-weighted and"
                            + " label-smoothed like it: Hugging Face's `eval_loss`), or one of the evaluator's"
                            + " metrics, computed the same way from the validation probabilities; `roc_auc` and"
                            + " `pr_auc` need two labels. `loss` and `log_loss` are lower-is-better, the others"
                            + " higher. Each evaluation records them all in `checkpoint.json`'s `history`"
                            + " (`validationMetrics`)"),
            new Setting("saveStateEverySteps", List.of("save_steps"),
                    "write a resumable state every N optimizer steps; one is written at every epoch end too"),
            new Setting("saveTotalLimit", List.of("save_total_limit"),
                    "resumable states kept on disk, oldest deleted first"),
            new Setting("groupByLength", List.of("group_by_length"),
                    "batches of similar length: random windows of 50 batches sorted by length, the longest batch"
                            + " first"),
            new Setting("classWeights", List.of("class_weights"),
                    "one loss weight per label, in the dataset's label order, as `CrossEntropyLoss(weight=...)`; for"
                            + " imbalanced data. The validation loss is weighted the same way"),
            new Setting("bf16", List.of(), "bfloat16 mixed precision; refused with the reason where the device has no"
                    + " bfloat16 arithmetic (see [Devices and precision](#devices-and-precision))"),
            new Setting("fp16", List.of(), "float16 mixed precision with dynamic loss scaling, for GPUs without"
                    + " bfloat16; refused on a CPU without float16 arithmetic and together with `bf16`"),
            new Setting("tf32", List.of(),
                    "TensorFloat-32 matrix products on NVIDIA Ampere and newer GPUs; refused on the CPU and on older"
                            + " GPUs"),
            new Setting("lrSchedulerType", List.of("lr_scheduler_type"),
                    "the learning rate after warmup: `linear` falls to 0 at the last step, `cosine` follows half a"
                            + " cosine to 0, `constant_with_warmup` stays at the peak, `constant` is the peak from the"
                            + " first step (no warmup, as in transformers); each matches `transformers.get_scheduler`"
                            + " step for step (`SchedulerParityTest`)"),
            new Setting("warmupSteps", List.of("warmup_steps"),
                    "steps with a rising learning rate; above 0 it wins over `warmupRatio`, as in"
                            + " `TrainingArguments`"),
            new Setting("adamBeta1", List.of("adam_beta1"), "AdamW's β1"),
            new Setting("adamBeta2", List.of("adam_beta2"), "AdamW's β2"),
            new Setting("adamEpsilon", List.of("adam_epsilon"), "AdamW's ε"),
            new Setting("labelSmoothingFactor", List.of("label_smoothing_factor"),
                    "label smoothing's ε, as `CrossEntropyLoss(label_smoothing=ε)` (with `classWeights` too), in the"
                            + " training and the validation loss alike, as Hugging Face's `LabelSmoother`; matches"
                            + " torch (`LabelSmoothingParityTest`)"),
            new Setting("evalBatchSize", List.of("per_device_eval_batch_size", "eval_batch_size"),
                    "examples per validation batch; speed only, not results", "`batchSize`"),
            new Setting("dataSeed", List.of("data_seed"),
                    "the seed of the batch order alone, so dropout and the order can be varied apart", "`seed`"),
            new Setting("earlyStoppingThreshold", List.of("early_stopping_threshold"),
                    "how much an evaluation must improve on the best so far to reset the patience; smaller"
                            + " improvements still keep the better weights (an `EarlyStoppingCallback` setting)"),
            new Setting("maxSteps", List.of("max_steps"),
                    "optimizer steps to train for, 0 trains for `epochs`; above 0 it overrides `epochs`, training may"
                            + " end within an epoch and is evaluated there, and the schedule spans these steps"),
            new Setting("evalStrategy", List.of("eval_strategy", "evaluation_strategy"),
                    "when to evaluate: `epoch` or `steps`, what `evalSteps` says (unset: `steps` when `evalSteps` is"
                            + " above 0, else `epoch`); `no` evaluates and publishes nothing while training, then"
                            + " scores the final weights once on the validation split, so `<job>-final` is the only"
                            + " checkpoint and still carries its numbers. With `no`, early stopping and"
                            + " `loadBestModelAtEnd` true are refused, as Hugging Face refuses them without"
                            + " evaluations", "from `evalSteps`"),
            new Setting("loadBestModelAtEnd", List.of("load_best_model_at_end"),
                    "true: the final checkpoint holds the best evaluation's weights by `metricForBestModel`; false:"
                            + " the last weights, with the last evaluation (always one after the last step). Early"
                            + " stopping needs true, as Hugging Face's `EarlyStoppingCallback` does. Hugging Face's"
                            + " default is false; this trainer's is true"),
            new Setting("greaterIsBetter", List.of("greater_is_better"),
                    "must agree with `metricForBestModel`: false for `loss` and `log_loss`, true for the others",
                    "from the metric"));

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

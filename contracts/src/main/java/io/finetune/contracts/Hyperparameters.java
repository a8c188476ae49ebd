package io.finetune.contracts;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

import java.util.List;

/**
 * Training settings of a job. Null means "the trainer's default", which follows the Hugging Face IMDB guide
 * (learning rate 2e-5, batch 16, 2 epochs, weight decay 0.01, max length 512). Read by {@link TrainingSettings}'
 * names: each component's own, or the Hugging Face {@code TrainingArguments} name ({@code learning_rate},
 * {@code num_train_epochs}, ...); any other key is refused ({@link HyperparametersReader}).
 *
 * @param evalSteps evaluate (and publish a checkpoint) every this many optimizer steps; 0 or null: every epoch
 * @param metricForBestModel which validation metric picks the final model and drives early stopping: {@code loss}
 *                           (default; the training loss on the validation split, lower is better) or one of the
 *                           evaluator's {@code accuracy}, {@code macro_f1}, {@code weighted_f1}, {@code log_loss}
 *                           (lower is better), {@code roc_auc}, {@code pr_auc} (two labels only); Hugging Face's
 *                           {@code eval_} prefix is accepted
 * @param saveStateEverySteps write a resumable training state every this many steps (and at each epoch end)
 * @param saveTotalLimit how many resumable states to keep on disk
 * @param groupByLength batch examples of similar length together (less padding, faster on mixed lengths)
 * @param classWeights one loss weight per label, in the dataset's label order, for imbalanced data
 * @param bf16 Hugging Face's {@code bf16=True}: bfloat16 mixed precision (libtorch's autocast); refused with the
 *             reason where the training device has no bfloat16 arithmetic (docs/training.md, "Precision")
 * @param fp16 Hugging Face's {@code fp16=True}: float16 mixed precision with dynamic loss scaling, for GPUs without
 *             bfloat16; refused on a CPU without float16 arithmetic, and together with {@code bf16}
 * @param tf32 Hugging Face's {@code tf32=True}: TensorFloat-32 matrix products on NVIDIA Ampere and newer GPUs;
 *             refused elsewhere
 * @param lrSchedulerType Hugging Face's {@code lr_scheduler_type}: {@code linear} (default), {@code cosine},
 *                        {@code constant} or {@code constant_with_warmup}
 * @param warmupSteps Hugging Face's {@code warmup_steps}: steps of rising learning rate; above 0 it wins over
 *                    {@code warmupRatio}
 * @param adamBeta1 AdamW's β1 ({@code adam_beta1}, 0.9)
 * @param adamBeta2 AdamW's β2 ({@code adam_beta2}, 0.999)
 * @param adamEpsilon AdamW's ε ({@code adam_epsilon}, 1e-8)
 * @param labelSmoothingFactor label smoothing's ε ({@code label_smoothing_factor}, 0)
 * @param evalBatchSize examples per validation batch ({@code per_device_eval_batch_size}); unset: the training batch
 * @param dataSeed the batch order's seed ({@code data_seed}); unset: {@code seed}
 * @param earlyStoppingThreshold how much an evaluation must improve to reset the patience
 *                               ({@code early_stopping_threshold}, 0)
 * @param maxSteps optimizer steps to train for, overriding {@code epochs} when above 0 ({@code max_steps})
 * @param evalStrategy {@code eval_strategy}: {@code epoch} or {@code steps}, what {@code evalSteps} says
 *                     (unset: {@code steps} when {@code evalSteps} is above 0, else {@code epoch}), or {@code no}: no
 *                     evaluation and no checkpoint while training, the final model scored once on the validation
 *                     split; early stopping and {@code loadBestModelAtEnd} true are refused with it
 * @param loadBestModelAtEnd {@code load_best_model_at_end}: true (default here, unlike Hugging Face's false) ends
 *                           with the best evaluation's weights by {@code metricForBestModel}, false with the last
 *                           weights and their evaluation; early stopping needs true
 * @param greaterIsBetter {@code greater_is_better}: must agree with {@code metricForBestModel} (false for loss and
 *                        log_loss, true for the others)
 */
@JsonDeserialize(using = HyperparametersReader.class)
public record Hyperparameters(Double learningRate, Integer batchSize, Integer epochs, Double weightDecay,
                              Double warmupRatio, Double maxGradNorm, Integer gradientAccumulationSteps,
                              Integer maxLength, Long seed, Integer earlyStoppingPatience, Boolean freezeEmbeddings,
                              Integer freezeLayers, Integer evalSteps, String metricForBestModel,
                              Integer saveStateEverySteps, Integer saveTotalLimit, Boolean groupByLength,
                              List<Double> classWeights, Boolean bf16, Boolean fp16, Boolean tf32,
                              String lrSchedulerType, Integer warmupSteps, Double adamBeta1, Double adamBeta2,
                              Double adamEpsilon, Double labelSmoothingFactor, Integer evalBatchSize, Long dataSeed,
                              Double earlyStoppingThreshold, Integer maxSteps, String evalStrategy,
                              Boolean loadBestModelAtEnd, Boolean greaterIsBetter) {
    public static Hyperparameters defaults() {
        return new Hyperparameters(null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null);
    }
}

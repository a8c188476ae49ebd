package io.finetune.evaluator.config;

import io.finetune.distilbert.Precision;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;

@ConfigMapping(prefix = "evaluator")
public interface EvaluatorConfig {
    /** What this process is: the evaluator, or one of its serving replicas (docs/serving.md#serving-replicas). */
    enum Role {
        /** Evaluates checkpoints, keeps the deployments and serves them: one replica. */
        EVALUATOR,
        /** Answers inference requests from the deployments topic and does nothing else: as many as needed. */
        SERVING
    }

    /** {@code evaluator} or {@code serving}; the Quarkus profile {@code serving} sets the second. */
    @WithDefault("evaluator")
    Role role();

    /**
     * Chunks being assembled, extracted models, and the record of evaluated checkpoints (which keeps redelivered
     * checkpoints from being evaluated twice, across restarts). The default is set in application.properties.
     */
    Path dataDir();

    /**
     * Examples per forward pass (evaluation, /predict, serving); bounds memory (activations grow with batch size times
     * sequence length). 8 rather than 32: on a CPU, attention's [B, H, T, T] tensors of 32 texts at 256 tokens are
     * ~100 MB each and spill out of the caches; with 8 a stream of IMDB-like texts was answered 1.95x as fast
     * (bench/stream-inference, docs/serving.md#benchmark) while transformers' fused attention hardly cared (within
     * 2 %). On a GPU, where larger batches pay, raise it (EVALUATOR_BATCH_SIZE).
     */
    @WithDefault("8")
    int batchSize();

    /** Datasets whose test split is kept in memory; the checkpoints of one job all share a dataset build. */
    @WithDefault("4")
    int datasetCacheSize();

    /** auto (first GPU if PyTorch sees one, else CPU), cpu or gpu. */
    @WithDefault("auto")
    String device();

    /**
     * The arithmetic of the matrix products when scoring checkpoints and answering /predict: fp32, bf16 (libtorch's
     * autocast, as Hugging Face's Trainer evaluates with {@code bf16=True}) or fp16. A 16-bit precision the device
     * has no arithmetic units for stops the service at start-up ({@code EvaluationPrecision}); docs/evaluation.md.
     */
    @WithDefault("fp32")
    Precision precision();

    /**
     * Evaluated models kept on disk for /predict and downloads: this many of the newest, plus every job's best
     * checkpoint (its final one, the trainer's choice by validation). A DistilBERT-base directory is ~270 MB.
     */
    @WithDefault("5")
    int keepModels();

    /** Most texts one /predict call may send; larger requests are refused with 413 rather than queued for minutes. */
    @WithDefault("64")
    int predictMaxTexts();

    /**
     * Jobs whose latest evaluation is exported as gauges ({@code finetune_evaluator_accuracy{training_job,dataset}}
     * and the like): the ones evaluated last. An older job's gauges are removed when a newer one needs the room, so
     * the evaluator's series stay bounded however many jobs it has seen; the REST API keeps every evaluation.
     */
    @WithDefault("10")
    int metricsJobs();
}

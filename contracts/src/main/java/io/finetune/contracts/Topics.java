package io.finetune.contracts;

import java.util.List;
import java.util.Map;

/**
 * Every Kafka topic of the pipeline, one per hand-off. docs/topics.md describes keys, formats, writers and readers;
 * this class is the single place their names and settings live, so services, tests and deployment cannot drift.
 */
public final class Topics {
    /** Labeled records as users push them (JSON, key = dataset name). Read by ingest-service. */
    public static final String RAW_RECORDS = "finetune.ingest.raw";
    /** Validated records and end-of-dataset markers (JSON {@link DatasetRecord}). Written by ingest, read by preprocess. */
    public static final String DATASET_RECORDS = "finetune.dataset.records";
    /**
     * Tokenized shards (binary {@link ShardCodec}) and their manifests (JSON {@link ShardManifest}), or why a seal
     * could not be prepared (JSON {@link PreparationFailed}).
     */
    public static final String SHARDS = "finetune.dataset.shards";
    /** Training jobs (JSON {@link TrainingJob}, key = job id). Written by trainer's REST API or by users. */
    public static final String TRAINING_JOBS = "finetune.training.jobs";
    /**
     * Fine-tuned checkpoints as chunks of a zipped Hugging Face model directory ({@link CheckpointChunk}, key
     * {@code <checkpointId>/<index>}, partition {@link CheckpointPartitioner}). Compacted: every chunk is kept until
     * the evaluator writes tombstones for the chunks of a checkpoint nothing needs any more (docs/delivery.md,
     * "Retention").
     */
    public static final String CHECKPOINTS = "finetune.training.checkpoints";
    /** Training progress events (JSON {@link TrainingProgress}, key = job id). */
    public static final String PROGRESS = "finetune.training.progress";
    /** Evaluation results (JSON {@link EvaluationResult}, key = checkpoint id). */
    public static final String EVALUATIONS = "finetune.evaluation.results";
    /**
     * ingest's dataset registry, shared by its replicas and kept across restarts: {@link DatasetDefined},
     * {@link DatasetSealed} and {@link DatasetCounts} (header {@link #HEADER_TYPE}), keyed "dataset/kind/...".
     * Compacted: the newest counts per dataset and replica and every definition and seal are kept.
     */
    public static final String DATASET_REGISTRY = "finetune.ingest.datasets";
    /** Texts to label (JSON {@link InferenceRequest}, key = request id). Written by users, read by evaluator's serving. */
    public static final String INFERENCE_REQUESTS = "finetune.inference.requests";
    /** Labels of those texts (JSON {@link Prediction}, key = request id), naming the deployment and checkpoint. */
    public static final String PREDICTIONS = "finetune.inference.predictions";
    /**
     * What each challenger of a deployment with a promotion policy came to (JSON {@link PromotionDecision}, key =
     * deployment name): promoted, or kept out with both scores and why. Kept: it is the deployments' history.
     */
    public static final String PROMOTIONS = "finetune.serving.promotions";
    /**
     * What each deployment serves now (JSON {@link DeploymentState}, key = deployment name), written by the evaluator
     * after each change: serving replicas follow it. Compacted: a deployment's last state is all that counts.
     */
    public static final String DEPLOYMENTS = "finetune.serving.deployments";
    /** Records any service could not accept, with the reason (JSON {@link DeadLetter}). */
    public static final String DEAD_LETTERS = "finetune.deadletters";

    /** Header that tells a shard from a manifest on {@link #SHARDS}. */
    public static final String HEADER_TYPE = "ft-type";

    private static final String FOREVER = "-1";
    private static final String WEEK = String.valueOf(7L * 24 * 3600 * 1000);
    private static final String DAY = String.valueOf(24L * 3600 * 1000);

    public record Spec(String name, int partitions, Map<String, String> config) {
    }

    /**
     * Partitions and retention: data that later runs re-read (datasets, shards, checkpoints) is kept until deleted;
     * checkpoints until released by a tombstone.
     */
    public static List<Spec> all() {
        return List.of(
                new Spec(RAW_RECORDS, 3, Map.of("retention.ms", WEEK)),
                new Spec(DATASET_RECORDS, 3, Map.of("retention.ms", FOREVER)),
                new Spec(SHARDS, 3, Map.of("retention.ms", FOREVER)),
                new Spec(TRAINING_JOBS, 1, Map.of("retention.ms", FOREVER)),
                // Compacted, not deleted by age: a deployed checkpoint or a job's best may be years old. Each chunk has
                // a key of its own, so compaction removes only what the evaluator's tombstones release. Tombstones are
                // tiny: by dirty ratio alone a release might wait until as many new bytes came; max lag bounds it.
                new Spec(CHECKPOINTS, 3, Map.of("retention.ms", FOREVER, "cleanup.policy", "compact",
                        "max.compaction.lag.ms", DAY)),
                new Spec(PROGRESS, 1, Map.of("retention.ms", WEEK)),
                new Spec(EVALUATIONS, 1, Map.of("retention.ms", FOREVER)),
                // Partitions are how serving scales out: one consumer of the serving group per partition at most.
                new Spec(INFERENCE_REQUESTS, 3, Map.of("retention.ms", WEEK)),
                new Spec(PREDICTIONS, 3, Map.of("retention.ms", WEEK)),
                // One partition: a deployment's decisions in order; a few a day.
                new Spec(PROMOTIONS, 1, Map.of("retention.ms", FOREVER)),
                // One partition: every replica reads it all, a change or two a day.
                new Spec(DEPLOYMENTS, 1, Map.of("retention.ms", FOREVER, "cleanup.policy", "compact")),
                new Spec(DEAD_LETTERS, 1, Map.of("retention.ms", WEEK)),
                // One partition: claims (create, seal) are decided by offset order. A few events a second at most.
                new Spec(DATASET_REGISTRY, 1, Map.of("retention.ms", FOREVER, "cleanup.policy", "compact")));
    }

    private Topics() {
    }
}

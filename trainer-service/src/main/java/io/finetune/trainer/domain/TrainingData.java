package io.finetune.trainer.domain;

import io.finetune.contracts.DatasetShards;
import io.finetune.contracts.ShardReader;
import io.finetune.contracts.TrainingJob;

import java.util.Optional;

/**
 * The prepared data a job trains on: always one build of its dataset. A job submitted with a build (POST /jobs, a
 * deployment's retraining) reads that one; a job without one (pushed to the jobs topic by hand) is pinned to the
 * dataset's newest build when it first starts, and the pin is written to its status on disk before training begins.
 * So an attempt after a crash or a shutdown reads the build the first attempt trained on, even where the dataset was
 * prepared again meanwhile (a continuous dataset's next version): a resumed job never changes its data mid-training.
 */
public final class TrainingData {
    /** A dataset's builds on the shards topic, as {@link ShardReader} reads them. */
    public interface Builds {
        /** The dataset's newest build; empty when it has none. */
        Optional<DatasetShards> newest(String dataset);

        /** Exactly this build of the dataset; empty when the topic holds no manifest of it. */
        Optional<DatasetShards> build(String dataset, String build);

        static Builds of(ShardReader reader) {
            return new Builds() {
                @Override
                public Optional<DatasetShards> newest(String dataset) {
                    return reader.read(dataset);
                }

                @Override
                public Optional<DatasetShards> build(String dataset, String build) {
                    return reader.read(dataset, build);
                }
            };
        }
    }

    private final Builds builds;
    private final JobRegistry registry;

    public TrainingData(Builds builds, JobRegistry registry) {
        this.builds = builds;
        this.registry = registry;
    }

    /**
     * The build the job is pinned to; for a job not pinned yet, the newest, pinned now (on disk once this returns).
     *
     * @throws IllegalArgumentException the dataset has no build on the shards topic, or the job's build is no longer
     *                                  there (the reason says which and what to do)
     */
    public DatasetShards of(TrainingJob job) {
        String pinned = registry.get(job.jobId()).map(JobStatus::build).orElse(job.build());
        if (pinned != null) {
            return builds.build(job.dataset(), pinned).orElseThrow(() -> new IllegalArgumentException("dataset '"
                    + job.dataset() + "' build " + pinned + ", which this job trains on ("
                    + (pinned.equals(job.build()) ? "as submitted" : "pinned when it first started")
                    + "), is not on the shards topic: the job does not switch to another build of the data it"
                    + " trained on; submit it again to train on the dataset's newest build"));
        }
        DatasetShards newest = builds.newest(job.dataset()).orElseThrow(() -> new IllegalArgumentException(
                "unknown dataset '" + job.dataset() + "': no prepared shards on the shards topic"));
        registry.update(job.jobId(), s -> s.withBuild(newest.manifest().build()));
        return newest;
    }
}

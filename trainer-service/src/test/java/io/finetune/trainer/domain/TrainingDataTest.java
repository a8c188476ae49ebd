package io.finetune.trainer.domain;

import io.finetune.contracts.DatasetShards;
import io.finetune.contracts.ShardManifest;
import io.finetune.contracts.TokenizedExample;
import io.finetune.contracts.TrainingJob;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A job trains on one build of its dataset from its first attempt to its last: the one it was submitted with, or the
 * newest at its first start, recorded on disk; a continuous dataset sealed again meanwhile changes nothing.
 */
class TrainingDataTest {
    @TempDir
    Path root;

    /** The shards topic as far as these tests need it: the builds of one dataset, oldest first. */
    private final List<DatasetShards> topic = new ArrayList<>();
    private final TrainingData.Builds builds = new TrainingData.Builds() {
        @Override
        public Optional<DatasetShards> newest(String dataset) {
            return topic.stream().filter(b -> b.manifest().dataset().equals(dataset)).reduce((a, b) -> b);
        }

        @Override
        public Optional<DatasetShards> build(String dataset, String build) {
            return topic.stream().filter(b -> b.manifest().dataset().equals(dataset)
                    && b.manifest().build().equals(build)).findFirst();
        }
    };

    @Test
    void aJobSubmittedOnABuildTrainsOnItThoughTheDatasetWasSealedAgain() {
        seal("build-a", 3);
        JobRegistry registry = registry();
        TrainingJob job = job("job-a").onBuild("build-a");
        registry.register(job, "distilbert-tiny");
        seal("build-b", 5); // the dataset's next version, prepared while the job waited

        DatasetShards data = new TrainingData(builds, registry).of(job);

        assertThat(data.manifest().build()).isEqualTo("build-a");
        assertThat(data.split("train")).hasSize(3);
        assertThat(registry.get("job-a")).hasValueSatisfying(s -> assertThat(s.build()).isEqualTo("build-a"));
    }

    @Test
    void aJobWithoutABuildIsPinnedToTheNewestAtItsFirstStartAndResumesOnItAfterARestart() throws Exception {
        seal("build-a", 3);
        JobRegistry before = registry();
        TrainingJob job = job("job-b"); // pushed to the jobs topic without a build
        before.register(job, "distilbert-tiny");
        assertThat(before.get("job-b")).hasValueSatisfying(s -> assertThat(s.build()).isNull());

        assertThat(new TrainingData(builds, before).of(job).manifest().build()).isEqualTo("build-a");
        assertThat(Files.readString(root.resolve("job-b").resolve(JobStore.STATUS_FILE)))
                .as("pinned on disk before training begins").contains("\"build\":\"build-a\"");

        seal("build-b", 5); // sealed again while the first attempt trained; then the trainer died
        JobRegistry after = registry(); // the next start reads the same volume

        DatasetShards resumed = new TrainingData(builds, after).of(job);
        assertThat(resumed.manifest().build()).isEqualTo("build-a");
        assertThat(resumed.split("train")).hasSize(3);
    }

    @Test
    void aJobWhosePinnedBuildIsNoLongerOnTheTopicFailsWithTheReason() {
        seal("build-b", 5);
        JobRegistry registry = registry();
        TrainingJob job = job("job-c").onBuild("build-a");
        registry.register(job, "distilbert-tiny");

        assertThatThrownBy(() -> new TrainingData(builds, registry).of(job))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dataset 'reviews' build build-a, which this job trains on (as submitted), is not on the"
                        + " shards topic: the job does not switch to another build of the data it trained on; submit"
                        + " it again to train on the dataset's newest build");

        TrainingJob pinnedAtStart = job("job-d");
        registry.register(pinnedAtStart, "distilbert-tiny");
        registry.update("job-d", s -> s.withBuild("build-0"));
        assertThatThrownBy(() -> new TrainingData(builds, registry).of(pinnedAtStart))
                .hasMessageContaining("build build-0, which this job trains on (pinned when it first started)");
    }

    @Test
    void aDatasetWithNoBuildIsUnknown() {
        JobRegistry registry = registry();
        TrainingJob job = job("job-e");
        registry.register(job, "distilbert-tiny");

        assertThatThrownBy(() -> new TrainingData(builds, registry).of(job))
                .hasMessage("unknown dataset 'reviews': no prepared shards on the shards topic");
        assertThat(registry.get("job-e")).hasValueSatisfying(s -> assertThat(s.build()).isNull());
    }

    private JobRegistry registry() {
        return new JobRegistry(new JobStore(root), new JobQueue());
    }

    /** Another build of the dataset on the topic, newest from now on, with {@code examples} training examples. */
    private void seal(String build, int examples) {
        List<TokenizedExample> train = new ArrayList<>();
        for (int i = 0; i < examples; i++) {
            train.add(new TokenizedExample(build + "-" + i, i % 2, new int[]{2, 10 + i, 3}));
        }
        topic.add(new DatasetShards(new ShardManifest(ShardManifest.VERSION, "reviews", build,
                List.of("negative", "positive"), Map.of("train", 1), Map.of(), "distilbert-tiny", "distilbert-tiny",
                64, "h", null), Map.of("train", train)));
    }

    private static TrainingJob job(String id) {
        return new TrainingJob(TrainingJob.VERSION, id, "reviews", "distilbert-tiny", null, Instant.now());
    }
}

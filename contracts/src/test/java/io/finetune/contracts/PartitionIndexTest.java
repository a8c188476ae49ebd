package io.finetune.contracts;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PartitionIndexTest {
    private final PartitionIndex index = new PartitionIndex();

    private static ShardManifest manifest(String dataset, String build) {
        return new ShardManifest(ShardManifest.VERSION, dataset, build, List.of("neg", "pos"), Map.of("train", 1),
                Map.of(), "tok", "model", 16, "cfg", null);
    }

    private static ShardsTopicValue shard(String build) {
        return new ShardsTopicValue(ShardsTopicValue.SHARD, build, null, null, null);
    }

    private static ShardsTopicValue outcome(PreparationOutcome outcome) {
        String type = outcome instanceof ShardManifest m ? ShardManifest.RECORD_TYPE : PreparationFailed.RECORD_TYPE;
        String build = outcome instanceof ShardManifest m ? m.build() : null;
        return new ShardsTopicValue(type, build, outcome, null, null);
    }

    @Test
    void eachBuildSpansItsFirstRecordToItsNewestManifestAndTheNewestManifestWins() {
        index.add(0, "a", shard("b1"));
        index.add(1, "other", shard("x"));
        index.add(2, "a", shard("b1"));
        index.add(3, "a", outcome(manifest("a", "b1")));
        index.add(4, "a", shard("b2")); // a new build, not yet sealed by its manifest
        assertThat(index.newestManifest("a")).map(ShardManifest::build).contains("b1");
        assertThat(index.build("a", "b2")).isEmpty();
        index.add(5, "a", outcome(manifest("a", "b2")));
        index.readUpTo(6);

        assertThat(index.next()).isEqualTo(6);
        assertThat(index.newestManifest("a")).map(ShardManifest::build).contains("b2");
        assertThat(index.build("a", "b1")).contains(new PartitionIndex.BuildRange(0, 3));
        assertThat(index.build("a", "b2")).contains(new PartitionIndex.BuildRange(4, 5));
        assertThat(index.build("other", "x")).as("no manifest: not a build to read").isEmpty();
        assertThat(index.newestManifest("unknown")).isEmpty();
    }

    @Test
    void aFailureAfterTheManifestIsTheOutcomeButNotTheManifest() {
        index.add(0, "a", outcome(manifest("a", "b1")));
        PreparationFailed failed = new PreparationFailed(1, "a", 2, "too-few-classes", "one label", Instant.EPOCH);
        index.add(1, "a", outcome(failed));
        assertThat(index.newestOutcome("a")).contains(failed);
        assertThat(index.newestManifest("a")).map(ShardManifest::build).contains("b1");
    }

    @Test
    void anUnreadableManifestIsAClearErrorForItsDatasetOnly() {
        index.add(7, "a", new ShardsTopicValue(ShardManifest.RECORD_TYPE, null, null, null, "not valid JSON"));
        index.add(8, "b", outcome(manifest("b", "b1")));
        assertThatThrownBy(() -> index.newestOutcome("a")).hasMessageContaining("dataset a")
                .hasMessageContaining("offset 7").hasMessageContaining("not valid JSON");
        assertThat(index.newestManifest("b")).isPresent();
    }

    @Test
    void restartingForgetsEverything() {
        index.add(0, "a", outcome(manifest("a", "b1")));
        index.restartAt(0);
        assertThat(index.next()).isZero();
        assertThat(index.newestManifest("a")).isEmpty();
    }
}

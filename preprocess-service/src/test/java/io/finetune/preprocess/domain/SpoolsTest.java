package io.finetune.preprocess.domain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SpoolsTest {
    @TempDir
    Path dataDir;

    @Test
    void spoolsLeftOnDiskAreFoundByPartitionAndThoseOfOtherPartitionsDeleted() {
        try (Spools spools = new Spools(dataDir)) {
            spools.of("on-zero").append(new SpooledRecord(0, 7, "a", "x", "pos", null));
            spools.of("on-zero").append(new SpooledRecord(0, 9, "b", "y", "neg", null));
            spools.of("on-one").append(new SpooledRecord(1, 3, "c", "z", "pos", null));
            spools.of("busy-on-two").append(new SpooledRecord(2, 1, "d", "w", "pos", null));
        }
        try (Spools restarted = new Spools(dataDir)) {
            assertThat(restarted.ofPartition(0)).containsOnlyKeys("on-zero");
            DatasetSpool zero = restarted.ofPartition(0).get("on-zero");
            assertThat(zero.count()).isEqualTo(2);
            assertThat(zero.partition()).isZero();
            assertThat(zero.firstOffset()).isEqualTo(7);

            List<String> gone = restarted.retainOnly(List.of(0), "busy-on-two");
            assertThat(gone).containsExactly("on-one");
            assertThat(dataDir.resolve("spool/on-one.jsonl")).doesNotExist();
            assertThat(dataDir.resolve("spool/on-zero.jsonl")).exists();
            assertThat(dataDir.resolve("spool/busy-on-two.jsonl")).as("in use: its preparation decides").exists();
            assertThat(restarted.ofPartition(1)).isEmpty();
        }
    }
}

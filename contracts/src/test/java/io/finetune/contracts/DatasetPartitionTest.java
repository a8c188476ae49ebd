package io.finetune.contracts;

import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatasetPartitionTest {
    @Test
    void isWhereKafkasDefaultPartitionerPutsARecordKeyedByTheDataset() {
        for (String dataset : List.of("reviews", "a", "imdb-2024.v2", "Ä-umlaut", "x".repeat(128), "ds-17")) {
            for (int partitions : new int[]{1, 3, 7}) {
                int kafkas = BuiltInPartitioner.partitionForKey(
                        new StringSerializer().serialize(Topics.SHARDS, dataset), partitions);
                assertThat(DatasetPartition.of(dataset, partitions)).as(dataset + " of " + partitions)
                        .isEqualTo(kafkas);
            }
        }
    }

    @Test
    void refusesATopicWithoutPartitions() {
        assertThatThrownBy(() -> DatasetPartition.of("reviews", 0)).hasMessageContaining("no partitions");
    }
}

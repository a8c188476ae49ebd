package io.finetune.contracts;

import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;

/**
 * The partition of {@link Topics#SHARDS} that holds every record of a dataset. preprocess publishes each shard,
 * tokenizer chunk, manifest and {@link PreparationFailed} with the dataset's name as key (String serializer) and
 * Kafka's default partitioner, which puts a keyed record on {@code toPositive(murmur2(keyBytes)) % partitions}; this
 * is that rule, so {@link ShardReader} reads that one partition instead of all of them.
 *
 * <p>It assumes the topic's partition count never changes: with more partitions, a dataset's new records would go to
 * another partition than its old ones. Kafka never moves records when partitions are added, so the count in
 * {@link Topics#all()} is fixed for the topic's life; {@link ShardReader} refuses to go on if it sees it change.
 */
public final class DatasetPartition {
    public static int of(String dataset, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException(Topics.SHARDS + " has no partitions");
        }
        return Utils.toPositive(Utils.murmur2(dataset.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    private DatasetPartition() {
    }
}

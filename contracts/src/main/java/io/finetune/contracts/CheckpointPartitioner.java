package io.finetune.contracts;

import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.common.Cluster;

import java.util.Map;

/**
 * Puts every record of one checkpoint on {@link Topics#CHECKPOINTS} on the same partition,
 * {@link CheckpointChunk#partitionOf} of its id, although each chunk has a key of its own
 * ({@code <checkpointId>/<index>}).
 * Set as {@code partitioner.class} of every producer of that topic: the trainer's chunks and the evaluator's
 * tombstones. Keys must be Strings (StringSerializer).
 */
public class CheckpointPartitioner implements Partitioner {
    @Override
    public int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster) {
        if (!(key instanceof String name)) {
            throw new IllegalArgumentException("records of " + topic + " need a String key <checkpointId>/<index>, not "
                    + key);
        }
        return CheckpointChunk.partitionOf(CheckpointChunk.checkpointIdOf(name), cluster.partitionCountForTopic(topic));
    }

    @Override
    public void close() {
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}

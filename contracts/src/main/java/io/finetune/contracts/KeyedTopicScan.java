package io.finetune.contracts;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;

/**
 * Reads the records of one key from a topic, oldest first, with a plain consumer (assigned, no group, nothing
 * committed): only the partition the key's records go to (the producers' default partitioner: murmur2 of the key's
 * UTF-8 bytes), from its start to the end offset it had when the scan began, so a scan always ends, found or not.
 */
public final class KeyedTopicScan {
    /** What a scan read: how far, for a message that says where a record was looked for. */
    public record Extent(String topic, int partition, long endOffset) {
        public String describe() {
            return topic + " (partition " + partition + ", read to offset " + endOffset + ")";
        }
    }

    private final Map<String, Object> kafkaConfig;

    /** @param kafkaConfig the service's client settings (the {@code default-kafka-broker} map, credentials included) */
    public KeyedTopicScan(Map<String, Object> kafkaConfig) {
        this.kafkaConfig = kafkaConfig;
    }

    /**
     * Hands each record of {@code key} to {@code sink} in offset order until the sink returns false (it has what it
     * wanted) or the partition's end is reached.
     */
    public Extent scan(String topic, String key, Predicate<ConsumerRecord<String, byte[]>> sink) {
        return scan(topic, key, key::equals, sink);
    }

    /**
     * The same for records whose keys {@code ours} accepts, all on the partition of {@code partitionKey}: the
     * checkpoints topic keys each chunk {@code <checkpointId>/<index>} but puts them all where the id alone would go.
     */
    public Extent scan(String topic, String partitionKey, Predicate<String> ours,
                Predicate<ConsumerRecord<String, byte[]>> sink) {
        String key = partitionKey;
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic);
            if (partitions == null || partitions.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist");
            }
            int partition = Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions.size();
            TopicPartition tp = new TopicPartition(topic, partition);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            while (consumer.position(tp) < end) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.offset() >= end) {
                        break;
                    }
                    if (record.key() != null && ours.test(record.key()) && !sink.test(record)) {
                        return new Extent(topic, partition, record.offset() + 1);
                    }
                }
            }
            return new Extent(topic, partition, end);
        }
    }

    private KafkaConsumer<String, byte[]> consumer() {
        Properties props = new Properties();
        props.putAll(kafkaConfig);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // Checkpoint chunks are 512 KiB: a few per fetch, never a whole checkpoint in memory.
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(2 * 1024 * 1024));
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(4 * 1024 * 1024));
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }
}

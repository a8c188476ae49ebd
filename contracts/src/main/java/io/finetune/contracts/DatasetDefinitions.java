package io.finetune.contracts;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dataset definitions on ingest's registry topic ({@link Topics#DATASET_REGISTRY}), read as ingest reads them:
 * in the topic's order, the first {@link DatasetDefined} of a dataset wins; a later one lost a race to create the
 * name (its replica retracts it with a tombstone), and tombstones define nothing. A dataset without a definition
 * (its records were pushed straight onto Kafka) has ingest's default shape, its text in
 * {@link RecordText#DEFAULT_FIELDS}. Ingest's registry applies the events it tails; the evaluator {@link #read}s the
 * topic when a deployment's checkpoint changes, to read a request's raw record as ingest reads the dataset's records.
 */
public final class DatasetDefinitions {
    /** The definition that won, and the key of its event: the claim a creating replica compares with its own. */
    public record Winner(String key, DatasetDefined definition) {
    }

    private final Map<String, Winner> winners = new ConcurrentHashMap<>();

    /**
     * One definition event of the topic ({@link DatasetDefined#TYPE}), in offset order.
     *
     * @param json the event, or null for a tombstone
     * @return the dataset it defines, whether it won or lost; null for a tombstone
     */
    public String apply(String key, String json) {
        if (json == null) {
            return null;
        }
        DatasetDefined defined = Json.read(json, DatasetDefined.class);
        if (defined.dataset() == null) {
            throw new IllegalArgumentException("the event names no dataset");
        }
        winners.putIfAbsent(defined.dataset(), new Winner(key, defined));
        return defined.dataset();
    }

    /** The dataset's definition, or null when it has none. */
    public Winner winner(String dataset) {
        return winners.get(dataset);
    }

    /** The fields that hold the dataset's text, in the order they are joined ({@link RecordText}). */
    public List<String> textFields(String dataset) {
        Winner winner = winners.get(dataset);
        List<String> fields = winner == null ? null : winner.definition().textFields();
        return fields == null || fields.isEmpty() ? RecordText.DEFAULT_FIELDS : List.copyOf(fields);
    }

    /**
     * Reads the registry topic from its start to its end now, every partition assigned (no consumer group, so nothing
     * is committed and every reader sees every event), committed events only, as ingest's replicas read it.
     *
     * @param kafkaConfig client settings: bootstrap.servers and the service's security settings (credentials: never
     *                    print them); a {@code group.id} among them is dropped
     * @throws IllegalStateException when the topic does not exist; Kafka's exceptions when it cannot be read
     */
    public static DatasetDefinitions read(Map<String, Object> kafkaConfig) {
        Properties props = new Properties();
        props.putAll(kafkaConfig);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        DatasetDefinitions definitions = new DatasetDefinitions();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(Topics.DATASET_REGISTRY);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + Topics.DATASET_REGISTRY + " does not exist");
            }
            List<TopicPartition> partitions = infos.stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    if (DatasetDefined.TYPE.equals(type(record))) {
                        definitions.applyReadable(record);
                    }
                }
            }
        }
        return definitions;
    }

    /** A definition nobody can read (a hand-written one) defines nothing, as ingest skips it. */
    private void applyReadable(ConsumerRecord<String, String> record) {
        try {
            apply(record.key(), record.value());
        } catch (RuntimeException e) {
            // skipped, as ingest's registry log skips it
        }
    }

    private static String type(ConsumerRecord<String, String> record) {
        Header header = record.headers().lastHeader(Topics.HEADER_TYPE);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }
}

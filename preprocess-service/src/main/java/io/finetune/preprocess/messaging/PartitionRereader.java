package io.finetune.preprocess.messaging;

import io.finetune.contracts.DatasetRecord;
import io.finetune.contracts.Json;
import io.finetune.contracts.Topics;
import io.finetune.preprocess.domain.DatasetSpool;
import io.finetune.preprocess.domain.SpooledRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a dataset's records again from its partition of {@link Topics#DATASET_RECORDS}, from the partition's first
 * offset up to its END marker, into its spool. For the rare END marker that finds its spool short because the records
 * were behind the committed offset already: a failed dataset sealed again after its replica restarted or lost the
 * partition. The records are on Kafka (retention forever), so the seal prepares what it would have prepared there.
 * Costs one read of the partition's history; the usual path never needs it (the committed low watermark).
 */
final class PartitionRereader {
    private static final Logger LOG = Logger.getLogger(PartitionRereader.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final Map<String, Object> kafkaConfig;

    /** @param kafkaConfig every {@code kafka.*} setting, security included */
    PartitionRereader(Map<String, Object> kafkaConfig) {
        this.kafkaConfig = kafkaConfig;
    }

    /**
     * Appends to {@code spool} every RECORD of {@code dataset} before offset {@code end} of {@code partition} and
     * before the dataset's first END marker (the spool skips offsets it has). A record behind the first marker came
     * after the dataset was sealed, so it is not in the dataset, even when a later marker (a seal after a failed
     * preparation) comes after it; unless the dataset is {@code continuous}: then every record before {@code end} is
     * in the version that ends there.
     */
    void reread(String dataset, int partition, long end, DatasetSpool spool, boolean continuous) {
        Map<String, Object> props = new HashMap<>(kafkaConfig);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG); // no group: nothing is committed
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        TopicPartition tp = new TopicPartition(Topics.DATASET_RECORDS, partition);
        long before = spool.count();
        long started = System.nanoTime();
        boolean sealed = false;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            while (consumer.position(tp) < end) {
                for (ConsumerRecord<String, String> record : consumer.poll(POLL)) {
                    if (record.offset() >= end || !dataset.equals(record.key())) {
                        continue;
                    }
                    DatasetRecord read = parse(record);
                    if (read == null || !dataset.equals(read.dataset()) || read.kind() == null) {
                        continue; // went to the dead-letter topic when it was first read
                    }
                    if (read.kind() == DatasetRecord.Kind.END) {
                        sealed = !continuous;
                    } else if (!sealed) {
                        spool.append(new SpooledRecord(record.partition(), record.offset(), read.id(), read.text(),
                                read.label(), read.split(), read.originKind()));
                    }
                }
            }
        }
        LOG.infof("dataset %s: read partition %d again up to offset %d in %d ms; %d records added to its spool",
                dataset, partition, end, (System.nanoTime() - started) / 1_000_000, spool.count() - before);
    }

    private static DatasetRecord parse(ConsumerRecord<String, String> record) {
        try {
            return Json.read(record.value(), DatasetRecord.class);
        } catch (UncheckedIOException | IllegalArgumentException e) {
            return null;
        }
    }
}

package io.finetune.evaluator.serving;

import io.finetune.contracts.Topics;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Puts corrections onto ingest's raw topic ({@link Topics#RAW_RECORDS}) as labeled raw records keyed by their dataset,
 * and returns once Kafka acknowledged them (acks=all). A plain producer, made on the first correction.
 */
@ApplicationScoped
public class CorrectionRecords {
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);
    private final Map<String, Object> kafkaConfig;
    private KafkaProducer<String, String> producer;

    /** @param kafkaConfig every {@code kafka.*} setting, security included, as the service's channels get them */
    public CorrectionRecords(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.kafkaConfig = kafkaConfig;
    }

    /**
     * @param dataset the key: the dataset's records and its END marker share a partition, in order
     * @throws IllegalStateException when Kafka did not acknowledge it in time: the correction is not recorded
     */
    public synchronized RecordMetadata send(String dataset, String rawRecordJson) {
        if (producer == null) {
            Map<String, Object> props = new HashMap<>(kafkaConfig);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) SEND_TIMEOUT.toMillis());
            props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) SEND_TIMEOUT.toMillis() / 2);
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, SEND_TIMEOUT.toMillis());
            producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
        }
        try {
            return producer.send(new ProducerRecord<>(Topics.RAW_RECORDS, dataset, rawRecordJson))
                    .get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending a correction", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka did not acknowledge the correction on " + Topics.RAW_RECORDS + ": "
                    + (e.getCause() == null ? e : e.getCause()).getMessage(), e);
        }
    }

    @PreDestroy
    synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
    }
}

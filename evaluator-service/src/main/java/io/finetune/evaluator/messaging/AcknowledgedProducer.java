package io.finetune.evaluator.messaging;

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
 * Sends the evaluator's rare records that others act on (promotion decisions, retraining jobs, corrections) and returns
 * only once Kafka acknowledged them (acks=all, idempotent), so the caller records them as done only then. A plain
 * producer, made on the first send: most evaluators never send any. Half a minute at most: two of the three answer a
 * REST call (a 503 then), and the others are tried again by their callers.
 */
@ApplicationScoped
public class AcknowledgedProducer {
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);
    private final Map<String, Object> kafkaConfig;
    private KafkaProducer<String, String> producer;

    /** @param kafkaConfig every {@code kafka.*} setting, security included, as the service's channels get them */
    public AcknowledgedProducer(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.kafkaConfig = kafkaConfig;
    }

    /**
     * @param what for the failure's message, e.g. "the promotion decision of deployment spam"
     * @throws IllegalStateException when Kafka did not acknowledge it in time (its cause says why): try again
     */
    public synchronized RecordMetadata send(String topic, String key, String value, String what) {
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
            return producer.send(new ProducerRecord<>(topic, key, value))
                    .get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending " + what, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka did not acknowledge " + what + ": " + e.getMessage(),
                    e instanceof ExecutionException ? e.getCause() : e);
        }
    }

    @PreDestroy
    synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
    }
}

package io.finetune.evaluator.serving;

import io.finetune.contracts.Json;
import io.finetune.contracts.PromotionDecision;
import io.finetune.contracts.Topics;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Puts promotion decisions on {@link Topics#PROMOTIONS}, keyed by deployment, and returns once Kafka acknowledged
 * them (acks=all). A plain producer, made on the first decision: most evaluators never promote anything.
 */
@ApplicationScoped
public class PromotionEvents {
    private static final Duration SEND_TIMEOUT = Duration.ofMinutes(2);
    private final Map<String, Object> kafkaConfig;
    private KafkaProducer<String, String> producer;

    /** @param kafkaConfig every {@code kafka.*} setting, security included, as the service's channels get them */
    public PromotionEvents(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.kafkaConfig = kafkaConfig;
    }

    /** @throws IllegalStateException when Kafka did not acknowledge it in time: the decision is taken again */
    public synchronized void publish(PromotionDecision decision) {
        if (producer == null) {
            Map<String, Object> props = new HashMap<>(kafkaConfig);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
        }
        try {
            producer.send(new ProducerRecord<>(Topics.PROMOTIONS, decision.deployment(), Json.write(decision)))
                    .get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing a promotion decision", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka did not acknowledge the promotion decision of deployment "
                    + decision.deployment() + ": " + e.getMessage(), e);
        }
    }

    @PreDestroy
    synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
    }
}

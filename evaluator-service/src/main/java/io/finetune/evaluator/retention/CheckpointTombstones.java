package io.finetune.evaluator.retention;

import io.finetune.contracts.CheckpointChunk;
import io.finetune.contracts.CheckpointPartitioner;
import io.finetune.contracts.Topics;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes the tombstones that release a checkpoint from the compacted checkpoints topic: a record with no value for
 * each of its chunk keys ({@code <checkpointId>/<index>}) and for the checkpoint id alone (the key chunks had before
 * the topic was compacted), on the checkpoint's partition ({@link CheckpointPartitioner}), each with the header
 * {@link CheckpointChunk#HEADER_RELEASED} saying why. Returns once Kafka acknowledged all of them. A plain
 * producer, made on the first release.
 */
@ApplicationScoped
public class CheckpointTombstones {
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(60);
    private final Map<String, Object> kafkaConfig;
    private KafkaProducer<String, byte[]> producer;

    /** @param kafkaConfig every {@code kafka.*} setting, security included, as the service's channels get them */
    public CheckpointTombstones(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.kafkaConfig = kafkaConfig;
    }

    /**
     * @param chunks how many chunks the checkpoint was sent in (0: unknown, only the old single key)
     * @throws IllegalStateException when Kafka did not acknowledge every tombstone in time: try again later
     */
    public synchronized void release(String checkpointId, int chunks, String why) {
        if (producer == null) {
            Map<String, Object> props = new HashMap<>(kafkaConfig);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, CheckpointPartitioner.class.getName());
            producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        }
        List<String> keys = new ArrayList<>(chunks + 1);
        keys.add(checkpointId);
        for (int i = 0; i < chunks; i++) {
            keys.add(CheckpointChunk.key(checkpointId, i));
        }
        byte[] reason = ("evaluator-service: " + why).getBytes(StandardCharsets.UTF_8);
        List<Future<RecordMetadata>> sends = new ArrayList<>(keys.size());
        for (String key : keys) {
            ProducerRecord<String, byte[]> tombstone = new ProducerRecord<>(Topics.CHECKPOINTS, key, null);
            tombstone.headers().add(CheckpointChunk.HEADER_RELEASED, reason);
            sends.add(producer.send(tombstone));
        }
        long deadline = System.nanoTime() + SEND_TIMEOUT.toNanos();
        try {
            for (Future<RecordMetadata> send : sends) {
                send.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while releasing checkpoint " + checkpointId, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka did not acknowledge the tombstones of checkpoint " + checkpointId
                    + ": " + e.getMessage(), e);
        }
    }

    @PreDestroy
    synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
    }
}

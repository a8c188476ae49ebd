package io.finetune.evaluator.messaging;

import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.util.concurrent.CompletionStage;

/**
 * Checkpoint chunks from {@code finetune.training.checkpoints}. Runs on the dedicated "evaluation" worker pool, one
 * chunk at a time and in order (each is written to disk). A chunk is acknowledged only after its outcome is safe (a
 * stored part, the complete checkpoint queued on disk for the {@link EvaluationQueue}, or a dead letter), so a crash
 * redelivers it; the evaluation itself no longer holds a record unacknowledged.
 */
@ApplicationScoped
public class CheckpointConsumer {
    /** Named in application.properties (smallrye.messaging.worker.evaluation.max-concurrency). */
    static final String WORKER_POOL = "evaluation";
    private final CheckpointIntake intake;

    public CheckpointConsumer(CheckpointIntake intake) {
        this.intake = intake;
    }

    @Incoming(Channels.CHECKPOINTS)
    @Blocking(WORKER_POOL)
    public CompletionStage<Void> consume(KafkaRecord<String, byte[]> record) {
        String origin = record.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(m -> "kafka:" + m.getTopic() + "/" + m.getPartition() + "@" + m.getOffset())
                .orElse("kafka:" + record.getTopic());
        try {
            intake.handle(record.getPayload(), origin);
        } catch (RuntimeException e) {
            // Even the dead letter could not be sent (broker gone): leave it to the channel's failure strategy.
            return record.nack(e);
        }
        return record.ack();
    }
}

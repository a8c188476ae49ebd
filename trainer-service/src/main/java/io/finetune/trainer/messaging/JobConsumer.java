package io.finetune.trainer.messaging;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.finetune.contracts.DeadLetter;
import io.finetune.contracts.InvalidSettingsException;
import io.finetune.contracts.Json;
import io.finetune.contracts.SafeNames;
import io.finetune.contracts.TrainingJob;
import io.finetune.trainer.domain.JobWorker;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Takes jobs off {@code finetune.training.jobs} and queues them. Training takes hours, so it never runs inside the
 * poll loop: the record is acknowledged once the job is persisted under the data directory (from where a restart
 * picks it up again), and the worker runs it on its own thread. Acknowledging within milliseconds keeps the
 * throttled commit strategy's unprocessed-record age far below its limit (docs/training.md).
 */
@ApplicationScoped
public class JobConsumer {
    private final JobWorker worker;
    private final TrainerOutput output;

    public JobConsumer(JobWorker worker, TrainerOutput output) {
        this.worker = worker;
        this.output = output;
    }

    @Incoming(Channels.TRAINING_JOBS)
    @Blocking // persisting the job writes and flushes a file: not on the event loop
    public CompletionStage<Void> consume(KafkaRecord<String, String> record) {
        TrainingJob job;
        try {
            job = Json.read(record.getPayload(), TrainingJob.class);
            if (!SafeNames.isSafe(job.jobId()) || !SafeNames.isSafe(job.dataset())) {
                throw new IllegalArgumentException("jobId and dataset must be safe names");
            }
        } catch (UncheckedIOException | IllegalArgumentException | NullPointerException e) {
            if (e.getCause() instanceof InvalidSettingsException invalid) {
                Optional<TrainingJob> readable = withoutSettings(record.getPayload());
                if (readable.isPresent()) {
                    worker.refuse(readable.get(), invalid.reason());
                    return record.ack();
                }
            }
            DeadLetter letter = DeadLetter.of("trainer-service", "kafka:" + record.getTopic(), null, "invalid-job",
                    e.getMessage(), record.getPayload());
            return output.deadLetter(letter).subscribeAsCompletionStage().thenCompose(done -> record.ack());
        }
        worker.enqueue(job);
        return record.ack();
    }

    /** The job without its settings, when that much of the event is a valid job with safe names. */
    private static Optional<TrainingJob> withoutSettings(String payload) {
        try {
            ObjectNode tree = (ObjectNode) Json.MAPPER.readTree(payload);
            tree.remove("hyperparameters");
            TrainingJob job = Json.MAPPER.treeToValue(tree, TrainingJob.class);
            return SafeNames.isSafe(job.jobId()) && SafeNames.isSafe(job.dataset()) ? Optional.of(job)
                    : Optional.empty();
        } catch (IOException | ClassCastException e) {
            return Optional.empty();
        }
    }
}

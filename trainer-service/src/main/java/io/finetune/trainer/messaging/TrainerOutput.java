package io.finetune.trainer.messaging;

import io.finetune.contracts.CheckpointChunk;
import io.finetune.contracts.DeadLetter;
import io.finetune.contracts.Json;
import io.finetune.contracts.ModelArchive;
import io.finetune.contracts.TrainingJob;
import io.finetune.contracts.TrainingProgress;
import io.finetune.service.messaging.Retries;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Everything trainer-service publishes. Checkpoint and job sends are awaited: losing them would lose work. So are the
 * progress events clients act on (a checkpoint published, a job finished): {@link #reliably} waits for the broker's
 * acknowledgement (acks=all, application.properties) and retries what passes on its own; the rest of progress is
 * informational and sent without waiting.
 */
@ApplicationScoped
public class TrainerOutput {
    private static final Duration SEND_TIMEOUT = Duration.ofMinutes(2);
    private final MutinyEmitter<Record<String, String>> jobs;
    private final MutinyEmitter<Record<String, String>> progress;
    private final MutinyEmitter<Record<String, byte[]>> checkpoints;
    private final MutinyEmitter<Record<String, String>> deadLetters;

    public TrainerOutput(@Channel(Channels.JOB_SUBMISSIONS) MutinyEmitter<Record<String, String>> jobs,
                         @Channel(Channels.PROGRESS) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 1024)
                         MutinyEmitter<Record<String, String>> progress,
                         @Channel(Channels.CHECKPOINTS) MutinyEmitter<Record<String, byte[]>> checkpoints,
                         @Channel(Channels.DEAD_LETTERS) MutinyEmitter<Record<String, String>> deadLetters) {
        this.jobs = jobs;
        this.progress = progress;
        this.checkpoints = checkpoints;
        this.deadLetters = deadLetters;
    }

    public void submit(TrainingJob job) {
        jobs.send(Record.of(job.jobId(), Json.write(job))).await().atMost(SEND_TIMEOUT);
    }

    /** Progress is informational: sent without waiting, a lost event is superseded by the next one. */
    public void progress(TrainingProgress event) {
        progress.send(Record.of(event.jobId(), Json.write(event))).subscribe().with(ok -> { }, failure -> { });
    }

    /**
     * Sends a progress event that clients rely on and returns once all in-sync replicas have it. A transient failure
     * (broker down, topic unavailable, no acknowledgement within two minutes) is retried after 1 s, 2 s, 4 s ... at
     * most a minute apart, for as long as it takes: the caller changes the job's state only after this returns.
     *
     * @param stopping checked before each try (the service shutting down): once true, no more tries
     * @param onRetry  told of each transient failure before the pause that follows it
     * @return true once acknowledged; false when {@code stopping} or an interrupt came first
     * @throws RuntimeException a failure that retrying cannot cure (say, not authorized to write the topic)
     */
    public boolean reliably(TrainingProgress event, BooleanSupplier stopping, Consumer<RuntimeException> onRetry) {
        return Retries.untilDone(() -> progress.send(Record.of(event.jobId(), Json.write(event)))
                        .await().atMost(SEND_TIMEOUT), stopping, pause -> Thread.sleep(pause.toMillis()), onRetry);
    }

    /**
     * Zips the checkpoint directory and sends its chunks in order, each acknowledged before the next. Each chunk is
     * keyed {@code <checkpointId>/<index>} (the topic is compacted) and the channel's {@code CheckpointPartitioner}
     * puts all of them on the checkpoint's partition.
     */
    public int checkpoint(String checkpointId, String jobId, Path dir) {
        List<CheckpointChunk> chunks = CheckpointChunk.split(checkpointId, jobId, ModelArchive.zip(dir));
        for (CheckpointChunk chunk : chunks) {
            checkpoints.send(Record.of(chunk.key(), chunk.encode())).await().atMost(SEND_TIMEOUT);
        }
        return chunks.size();
    }

    public Uni<Void> deadLetter(DeadLetter letter) {
        return deadLetters.send(Record.of(letter.dataset(), Json.write(letter)));
    }
}

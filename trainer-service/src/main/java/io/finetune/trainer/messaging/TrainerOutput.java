package io.finetune.trainer.messaging;

import io.finetune.contracts.CheckpointChunk;
import io.finetune.contracts.DeadLetter;
import io.finetune.contracts.Json;
import io.finetune.contracts.ModelArchive;
import io.finetune.contracts.TrainingJob;
import io.finetune.contracts.TrainingProgress;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Everything trainer-service publishes. Checkpoint and job sends are awaited: losing them would lose work. */
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

    /** Zips the checkpoint directory and sends its chunks in order, each acknowledged before the next. */
    public int checkpoint(String checkpointId, String jobId, Path dir) {
        List<CheckpointChunk> chunks = CheckpointChunk.split(checkpointId, jobId, ModelArchive.zip(dir));
        for (CheckpointChunk chunk : chunks) {
            checkpoints.send(Record.of(checkpointId, chunk.encode())).await().atMost(SEND_TIMEOUT);
        }
        return chunks.size();
    }

    public Uni<Void> deadLetter(DeadLetter letter) {
        return deadLetters.send(Record.of(letter.dataset(), Json.write(letter)));
    }
}

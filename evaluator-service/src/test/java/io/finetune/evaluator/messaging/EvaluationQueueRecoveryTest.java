package io.finetune.evaluator.messaging;

import io.finetune.contracts.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** What a restarted evaluator finds in its queue folder: the queued checkpoints, and no half-made hand-off. */
class EvaluationQueueRecoveryTest {
    @TempDir
    Path queue;

    @Test
    void queuedCheckpointsComeBackOldestFirstAndInterruptedHandOffsAreDropped() throws IOException {
        queue("job-b-epoch-1", Instant.parse("2026-12-06T10:00:02Z"));
        queue("job-a-epoch-2", Instant.parse("2026-12-06T10:00:01Z"));
        // A crash between moving the archive and writing pending.json: the chunk was never acknowledged.
        Path interrupted = Files.createDirectories(queue.resolve("job-c-epoch-1"));
        Files.writeString(interrupted.resolve(EvaluationQueue.ARCHIVE), "zip bytes");
        Files.writeString(interrupted.resolve(EvaluationQueue.INFO + ".partial"), "{\"checkpo");

        assertThat(EvaluationQueue.recover(queue)).extracting(EvaluationQueue.Pending::checkpointId)
                .containsExactly("job-a-epoch-2", "job-b-epoch-1");
        assertThat(interrupted).doesNotExist();
        assertThat(queue.resolve("job-a-epoch-2").resolve(EvaluationQueue.ARCHIVE)).exists();
    }

    @Test
    void aServiceThatNeverQueuedAnythingFindsNothing() {
        assertThat(EvaluationQueue.recover(queue.resolve("absent"))).isEmpty();
    }

    private void queue(String checkpointId, Instant queuedAt) throws IOException {
        Path dir = Files.createDirectories(queue.resolve(checkpointId));
        Files.writeString(dir.resolve(EvaluationQueue.ARCHIVE), "zip bytes");
        Files.writeString(dir.resolve(EvaluationQueue.INFO), Json.write(new EvaluationQueue.Pending(checkpointId,
                checkpointId.substring(0, 5), "kafka:finetune.checkpoints/0@1", queuedAt)));
    }
}

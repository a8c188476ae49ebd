package io.finetune.trainer.domain;

import io.finetune.contracts.TrainingJob;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class JobRegistryTest {

    @TempDir
    Path root;

    @Test
    void aCancelRequestAnsweredBeforeACrashStillStopsTheJobAfterIt() {
        JobRegistry before = new JobRegistry(new JobStore(root));
        before.register(job("job-a"), "distilbert-tiny");
        before.register(job("job-b"), "distilbert-tiny");
        before.update("job-a", s -> s.withState(JobStatus.State.RUNNING, "training"));
        before.requestCancel("job-a");

        JobRegistry after = new JobRegistry(new JobStore(root)); // the replica's next start reads the same volume

        assertThat(after.isCancelRequested("job-a")).isTrue();
        assertThat(after.isCancelRequested("job-b")).isFalse();
    }

    @Test
    void aFinishedJobIsNotCancelledAgainAfterARestart() {
        JobRegistry before = new JobRegistry(new JobStore(root));
        before.register(job("job-c"), "distilbert-tiny");
        before.requestCancel("job-c");
        before.update("job-c", s -> s.withState(JobStatus.State.CANCELLED, "cancelled"));

        JobRegistry after = new JobRegistry(new JobStore(root));

        assertThat(after.isCancelRequested("job-c")).isFalse();
        assertThat(after.get("job-c")).hasValueSatisfying(s ->
                assertThat(s.state()).isEqualTo(JobStatus.State.CANCELLED));
    }

    private static TrainingJob job(String id) {
        return new TrainingJob(TrainingJob.VERSION, id, "reviews", "distilbert-tiny", null, Instant.now());
    }
}

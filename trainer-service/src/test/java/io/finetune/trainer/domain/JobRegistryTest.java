package io.finetune.trainer.domain;

import io.finetune.contracts.TrainingJob;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class JobRegistryTest {

    @TempDir
    Path root;

    @Test
    void aCancelRequestAnsweredBeforeACrashStillStopsTheJobAfterIt() {
        JobRegistry before = new JobRegistry(new JobStore(root), new JobQueue());
        before.register(job("job-a"), "distilbert-tiny");
        before.register(job("job-b"), "distilbert-tiny");
        before.update("job-a", s -> s.withState(JobStatus.State.RUNNING, "training"));
        before.requestCancel("job-a");

        // the replica's next start reads the same volume
        JobRegistry after = new JobRegistry(new JobStore(root), new JobQueue());

        assertThat(after.isCancelRequested("job-a")).isTrue();
        assertThat(after.isCancelRequested("job-b")).isFalse();
    }

    @Test
    void aFinishedJobIsNotCancelledAgainAfterARestart() {
        JobRegistry before = new JobRegistry(new JobStore(root), new JobQueue());
        before.register(job("job-c"), "distilbert-tiny");
        before.requestCancel("job-c");
        before.update("job-c", s -> s.withState(JobStatus.State.CANCELLED, "cancelled"));

        JobRegistry after = new JobRegistry(new JobStore(root), new JobQueue());

        assertThat(after.isCancelRequested("job-c")).isFalse();
        assertThat(after.get("job-c")).hasValueSatisfying(s ->
                assertThat(s.state()).isEqualTo(JobStatus.State.CANCELLED));
    }

    @Test
    void aWaitingJobIsShownWithItsPlaceAndTheRunningJobButNeverPersistedWithIt() throws Exception {
        JobQueue queue = new JobQueue();
        JobRegistry registry = new JobRegistry(new JobStore(root), queue);
        for (String id : new String[] {"job-r", "job-1", "job-2"}) {
            registry.register(job(id), "distilbert-tiny");
            queue.add(job(id));
        }
        queue.next(); // the worker takes job-r
        registry.update("job-r", s -> s.withState(JobStatus.State.RUNNING, "training"));

        assertThat(registry.get("job-2")).hasValueSatisfying(s -> assertThat(s.queue())
                .isEqualTo(new JobStatus.QueuePlace(2, "job-r")));
        assertThat(registry.all()).filteredOn(s -> s.jobId().equals("job-1"))
                .extracting(JobStatus::queue).containsExactly(new JobStatus.QueuePlace(1, "job-r"));
        assertThat(registry.get("job-r")).hasValueSatisfying(s -> assertThat(s.queue()).isNull());
        assertThat(Files.readString(root.resolve("job-2").resolve(JobStore.STATUS_FILE)))
                .doesNotContain("position");
    }

    private static TrainingJob job(String id) {
        return new TrainingJob(TrainingJob.VERSION, id, "reviews", "distilbert-tiny", null, Instant.now());
    }
}

package io.finetune.trainer.domain;

import io.finetune.contracts.TrainingJob;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class JobQueueTest {
    private final JobQueue queue = new JobQueue();

    @Test
    void aWaitingJobKnowsItsPlaceAndTheJobItWaitsFor() {
        queue.add(job("job-a"));
        queue.add(job("job-b"));
        queue.add(job("job-c"));
        assertThat(queue.place("job-a")).contains(new JobStatus.QueuePlace(1, null));

        assertThat(queue.next()).map(TrainingJob::jobId).contains("job-a");
        assertThat(queue.place("job-a")).isEmpty();
        assertThat(queue.place("job-c")).contains(new JobStatus.QueuePlace(2, "job-a"));
        assertThat(queue.place("job-c").orElseThrow().describe())
                .isEqualTo("position 2 in this trainer's queue, behind running job job-a and 1 queued before it");

        queue.done("job-a");
        assertThat(queue.place("job-b")).contains(new JobStatus.QueuePlace(1, null));
        assertThat(queue.place("job-b").orElseThrow().describe()).isEqualTo("position 1 in this trainer's queue,"
                + " starts next");
    }

    @Test
    void aCancelledJobLeavesTheLineAndTheOnesBehindMoveUp() {
        queue.add(job("job-a"));
        queue.add(job("job-b"));
        queue.add(job("job-c"));
        queue.next();

        assertThat(queue.remove("job-b")).isTrue();
        assertThat(queue.remove("job-b")).isFalse();
        assertThat(queue.remove("job-a")).as("the running job is not waiting").isFalse();
        assertThat(queue.place("job-c")).contains(new JobStatus.QueuePlace(1, "job-a"));
        assertThat(queue.next()).map(TrainingJob::jobId).contains("job-c");
        assertThat(queue.next()).isEmpty();
    }

    private static TrainingJob job(String id) {
        return new TrainingJob(TrainingJob.VERSION, id, "reviews", "distilbert-tiny", null, Instant.now());
    }
}

package io.finetune.service.messaging;

import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetriesTest {
    private final List<Duration> pauses = new ArrayList<>();

    @Test
    void aBrokerAwayForAWhileIsWaitedOutWithGrowingPausesAndTheAttemptIsDoneOnce() {
        AtomicInteger tries = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        List<RuntimeException> told = new ArrayList<>();

        boolean finished = Retries.untilDone(() -> {
            if (tries.incrementAndGet() <= 8) {
                // As a send to an unreachable broker fails: Kafka's timeout, wrapped by the messaging layer.
                throw new CompletionException(new TimeoutException("Topic finetune.evaluations not present"));
            }
            done.incrementAndGet();
        }, () -> false, pauses::add, told::add);

        assertThat(finished).isTrue();
        assertThat(done).hasValue(1);
        assertThat(told).hasSize(8);
        assertThat(pauses).extracting(Duration::toSeconds).containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L);
    }

    @Test
    void aFailureOfTheCheckpointItselfIsNotRetried() {
        AtomicInteger tries = new AtomicInteger();
        assertThatThrownBy(() -> Retries.untilDone(() -> {
            tries.incrementAndGet();
            throw new IllegalArgumentException("the model predicts 3 labels, the dataset has 2");
        }, () -> false, pauses::add, e -> { }))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(tries).hasValue(1);
        assertThat(pauses).isEmpty();
    }

    @Test
    void aStopEndsTheRetriesAndSaysTheAttemptIsNotDone() {
        AtomicInteger tries = new AtomicInteger();
        boolean finished = Retries.untilDone(() -> {
            tries.incrementAndGet();
            throw new UncheckedIOException(new java.io.IOException("No space left on device"));
        }, () -> tries.get() >= 3, pauses::add, e -> { });

        assertThat(finished).isFalse();
        assertThat(tries).hasValue(3);
    }

    @Test
    void onlyRetriableKafkaErrorsTimeoutsAndTheDiskPass() {
        assertThat(TransientFailures.isTransient(new RuntimeException(new TimeoutException("t")))).isTrue();
        assertThat(TransientFailures.isTransient(new io.smallrye.mutiny.TimeoutException())).isTrue();
        assertThat(TransientFailures.isTransient(new org.apache.kafka.common.errors.RecordTooLargeException("big")))
                .as("a record too large stays too large").isFalse();
        assertThat(TransientFailures.isTransient(new IllegalStateException("unreadable config.json"))).isFalse();
    }
}

package io.finetune.evaluator.messaging;

import org.apache.kafka.common.errors.RetriableException;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Which failures of an evaluation pass on their own: the broker unreachable or slow (Kafka's retriable errors, its
 * timeouts included, while the test split is read or the result sent; a send that is not acknowledged in time) and
 * the disk for a while. Those are retried; everything else is about the checkpoint itself and becomes
 * a dead letter, since evaluating it again would fail again.
 */
final class TransientFailures {
    static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof RetriableException || t instanceof java.util.concurrent.TimeoutException
                    || t instanceof io.smallrye.mutiny.TimeoutException || t instanceof IOException
                    || t instanceof UncheckedIOException) {
                return true;
            }
        }
        return false;
    }

    private TransientFailures() {
    }
}

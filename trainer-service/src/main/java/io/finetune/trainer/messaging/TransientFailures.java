package io.finetune.trainer.messaging;

import org.apache.kafka.common.errors.RetriableException;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Which failures of a send pass on their own: the broker unreachable or slow (Kafka's retriable errors, its timeouts
 * included; a send that is not acknowledged in time). A copy of evaluator-service's {@code TransientFailures}.
 * Anything else (a record too large, an authorization failure) fails the same way on every try.
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

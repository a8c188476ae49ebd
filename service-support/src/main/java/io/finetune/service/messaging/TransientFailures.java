package io.finetune.service.messaging;

import org.apache.kafka.common.errors.RetriableException;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Which failures pass on their own: the broker unreachable or slow (Kafka's retriable errors, its timeouts included;
 * a send that is not acknowledged in time) and the disk for a while. Anything else (a record too large, an
 * authorization failure, a checkpoint that cannot be read) fails the same way on every try: the evaluator turns it
 * into a dead letter, the trainer into a failed job.
 */
public final class TransientFailures {
    public static boolean isTransient(Throwable failure) {
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

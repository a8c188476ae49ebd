package io.finetune.local.crash;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * What a patient client does while a service restarts: tries again until a deadline. A refused connection or a 5xx
 * is the expected face of a killed service, so the trial rides through it the way a user's script would.
 */
final class Retry {
    private Retry() {
    }

    static <T> T until(Duration timeout, String what, Supplier<T> attempt) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                return attempt.get();
            } catch (RuntimeException e) {
                last = e;
                pause(500);
            }
        }
        throw new IllegalStateException(what + " did not succeed within " + timeout.toSeconds() + " s"
                + (last == null ? "" : ": " + last.getMessage()), last);
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}

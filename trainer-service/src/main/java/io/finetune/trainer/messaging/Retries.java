package io.finetune.trainer.messaging;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A copy of evaluator-service's {@code Retries} (kept per module: each service owns its retry policy; move both to
 * service-support if a third needs it). Runs an attempt until it ends without a failure that passes ({@link TransientFailures}), pausing 1 s, 2 s, 4 s and
 * so on, at most a minute, between tries. Any other failure is the caller's.
 */
final class Retries {
    static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
    static final Duration LONGEST_PAUSE = Duration.ofMinutes(1);

    interface Pause {
        void sleep(Duration pause) throws InterruptedException;
    }

    /**
     * @param stopping checked before each try: once true, no more tries
     * @param onRetry  told of each passing failure before its pause
     * @return true when the attempt ended normally, false when stopped or interrupted first
     */
    static boolean untilDone(Runnable attempt, BooleanSupplier stopping, Pause pause,
                             Consumer<RuntimeException> onRetry) {
        Duration next = FIRST_PAUSE;
        while (!stopping.getAsBoolean()) {
            try {
                attempt.run();
                return true;
            } catch (RuntimeException e) {
                if (!TransientFailures.isTransient(e)) {
                    throw e;
                }
                onRetry.accept(e);
                try {
                    pause.sleep(next);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                next = next.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : next.multipliedBy(2);
            }
        }
        return false;
    }

    private Retries() {
    }
}

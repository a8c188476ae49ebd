package io.finetune.service.messaging;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Runs an attempt until it ends without a failure that passes ({@link TransientFailures}), pausing 1 s, 2 s, 4 s and
 * so on, at most a minute, between tries. Any other failure is the caller's. The evaluator retries evaluations with
 * it, the trainer the events clients act on.
 */
public final class Retries {
    public static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
    public static final Duration LONGEST_PAUSE = Duration.ofMinutes(1);

    public interface Pause {
        void sleep(Duration pause) throws InterruptedException;
    }

    /**
     * @param stopping checked before each try: once true, no more tries
     * @param onRetry  told of each passing failure before its pause
     * @return true when the attempt ended normally, false when stopped or interrupted first
     */
    public static boolean untilDone(Runnable attempt, BooleanSupplier stopping, Pause pause,
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

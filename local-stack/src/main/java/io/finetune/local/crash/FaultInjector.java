package io.finetune.local.crash;

import io.finetune.local.LocalStack;
import io.finetune.local.ServiceProcess;

import java.time.Duration;

/**
 * Carries out one {@link Fault} on its own thread while the run goes on: waits for the moment, SIGKILLs the target
 * and starts it again the way an orchestrator would (same port, same data directory). A run that ends before the
 * moment cancels the fault, and the trial says it missed.
 */
final class FaultInjector implements AutoCloseable {
    private final Thread thread;
    private volatile boolean cancelled;
    private volatile long injectedAt = -1;
    private volatile long recoveredAt = -1;
    private volatile String error;

    FaultInjector(LocalStack stack, Fault fault, Timeline timeline) {
        thread = new Thread(() -> run(stack, fault, timeline), "fault-" + fault.target());
        thread.setDaemon(true);
    }

    FaultInjector start() {
        thread.start();
        return this;
    }

    private void run(LocalStack stack, Fault fault, Timeline timeline) {
        while (!timeline.reached(fault.anchor())) {
            if (cancelled) {
                return;
            }
            Retry.pause(20);
        }
        long hitAt = timeline.at(fault.anchor()) + fault.delayMillis();
        while (timeline.now() < hitAt) {
            if (cancelled) {
                return;
            }
            Retry.pause(Math.min(50, hitAt - timeline.now() + 1));
        }
        synchronized (this) {
            if (cancelled) {
                return;
            }
            injectedAt = timeline.now();
        }
        try {
            if (fault.isBroker()) {
                stack.kafka().kill();
                Retry.pause(fault.downMillis());
                stack.kafka().start();
            } else {
                ServiceProcess service = stack.service(fault.process());
                service.kill();
                service.start().awaitReady(Duration.ofMinutes(3));
            }
            recoveredAt = timeline.now();
        } catch (RuntimeException e) {
            error = e.getMessage();
        }
    }

    /** @return true when the fault happened (then waits until the target is back), false when it was too late */
    boolean finish() {
        synchronized (this) {
            cancelled = true;
        }
        try {
            thread.join(Duration.ofMinutes(4).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return injectedAt >= 0;
    }

    long injectedAt() {
        return injectedAt;
    }

    /** Milliseconds from the kill until the target was ready again, or -1. */
    long downtime() {
        return recoveredAt < 0 ? -1 : recoveredAt - injectedAt;
    }

    String error() {
        return error;
    }

    @Override
    public void close() {
        finish();
    }
}

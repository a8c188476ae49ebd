package io.finetune.local.crash;

import io.finetune.local.LocalStack;
import io.finetune.local.ServiceProcess;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

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

    private volatile String killed;

    /**
     * @param dataset the run's dataset and {@code jobId} its job: with replicas, a fault on the "busy" replica kills
     *                the one that holds them at that moment ({@link BusyReplica}), one on the "other" replica another
     */
    FaultInjector(LocalStack stack, Fault fault, Timeline timeline, String dataset, String jobId) {
        thread = new Thread(() -> run(stack, fault, timeline, dataset, jobId), "fault-" + fault.target());
        thread.setDaemon(true);
    }

    FaultInjector start() {
        thread.start();
        return this;
    }

    private void run(LocalStack stack, Fault fault, Timeline timeline, String dataset, String jobId) {
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
                ServiceProcess service = target(stack, fault, dataset, jobId);
                killed = service.name();
                service.kill();
                service.start().awaitReady(Duration.ofMinutes(3));
            }
            recoveredAt = timeline.now();
        } catch (RuntimeException e) {
            error = e.getMessage();
        }
    }

    /** The process a fault on a service kills: its only one, or with replicas the busy one or another. */
    private static ServiceProcess target(LocalStack stack, Fault fault, String dataset, String jobId) {
        String service = Fault.service(fault.target());
        List<ServiceProcess> replicas = stack.instances(service);
        if (replicas.isEmpty()) {
            throw new IllegalStateException("no process of " + service + " runs (serving replicas need --replicas "
                    + "evaluator-serving=N)");
        }
        if (replicas.size() < 2) {
            return replicas.get(0);
        }
        Optional<ServiceProcess> busy = BusyReplica.of(stack, service, dataset, jobId);
        if (Fault.BUSY.equals(fault.process())) {
            return busy.orElse(replicas.get(0));
        }
        // Not known which one is busy: "other" takes the last, so the two choices still differ.
        return busy.isEmpty() ? replicas.get(replicas.size() - 1)
                : replicas.stream().filter(p -> p != busy.get()).findFirst().orElse(replicas.get(0));
    }

    /** The process killed, or null (none yet, or the broker). */
    String killed() {
        return killed;
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

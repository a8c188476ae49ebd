package io.finetune.local.crash;

/**
 * One thing to break during a run: SIGKILL a service (then start it again), or kill the broker and start it again
 * after {@code downMillis}. The fault hits {@code delayMillis} after the run reaches {@code anchor} (a
 * {@link Timeline} phase, or {@link Timeline#START}), so it lands in the same part of the run however fast the
 * machine is today. {@code end} is the phase that closes the target's busy window, and {@code share} where in that
 * window the moment lies, so a trial whose run was quicker than planned can be tried again at the same share
 * ({@link #within}).
 */
public record Fault(String target, String anchor, String end, double share, long delayMillis, long downMillis) {
    /** Broker targets: the broker killed while records are ingested, shards published, checkpoints sent or scored. */
    public static final String BROKER = "kafka-broker";

    public boolean isBroker() {
        return target.startsWith(BROKER);
    }

    /** The process to kill: a target names a service, or a service and the part of its work ("evaluator-serving"). */
    String service() {
        return FaultPlan.SERVING.equals(target) ? "evaluator-service" : target;
    }

    /** The same fault at the same share of a window {@code windowMillis} long. */
    Fault within(long windowMillis) {
        return new Fault(target, anchor, end, share, (long) (share * windowMillis), downMillis);
    }

    String when() {
        return String.format("%s+%.1fs", anchor, delayMillis / 1000.0);
    }
}

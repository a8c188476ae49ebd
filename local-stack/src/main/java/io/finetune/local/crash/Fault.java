package io.finetune.local.crash;

/**
 * One thing to break during a run: SIGKILL a service (then start it again; with replicas, {@code process} says which:
 * {@link #BUSY}, the one holding the run's dataset or job at that moment, or {@link #OTHER}, another one), or kill the
 * broker and start it again after {@code downMillis}. The fault hits {@code delayMillis} after the run reaches {@code anchor} (a
 * {@link Timeline} phase, or {@link Timeline#START}), so it lands in the same part of the run however fast the
 * machine is today. {@code end} is the phase that closes the target's busy window, and {@code share} where in that
 * window the moment lies, so a trial whose run was quicker than planned can be tried again at the same share
 * ({@link #within}).
 */
public record Fault(String target, String process, String anchor, String end, double share, long delayMillis,
                    long downMillis) {
    /** Broker targets: the broker killed while records are ingested, shards published, checkpoints sent or scored. */
    public static final String BROKER = "kafka-broker";
    static final String BUSY = "busy";
    static final String OTHER = "other";

    public boolean isBroker() {
        return target.startsWith(BROKER);
    }

    /** The same fault at the same share of a window {@code windowMillis} long. */
    Fault within(long windowMillis) {
        return new Fault(target, process, anchor, end, share, (long) (share * windowMillis), downMillis);
    }

    /**
     * The processes a target names, as {@link io.finetune.local.LocalStack#instances} knows them: the service itself,
     * the evaluator for its part "evaluator-serving", the serving replicas for "serving-replica".
     */
    static String service(String target) {
        return switch (target) {
            case FaultPlan.SERVING -> "evaluator-service";
            case FaultPlan.SERVING_REPLICA -> io.finetune.local.LocalStack.SERVING_REPLICAS;
            default -> target;
        };
    }

    String when() {
        return String.format("%s+%.1fs", anchor, delayMillis / 1000.0);
    }
}

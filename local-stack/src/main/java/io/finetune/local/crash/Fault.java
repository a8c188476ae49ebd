package io.finetune.local.crash;

/**
 * One thing to break during a run: SIGKILL a service (then start it again), or kill the broker and start it again
 * after {@code downMillis}. The fault hits {@code delayMillis} after the run reaches {@code anchor} (a
 * {@link Timeline} phase, or {@link Timeline#START}), so it lands in the same part of the run however fast the
 * machine is today.
 */
public record Fault(String target, String anchor, long delayMillis, long downMillis) {
    public static final String BROKER = "kafka-broker";

    public boolean isBroker() {
        return BROKER.equals(target);
    }

    String when() {
        return String.format("%s+%.1fs", anchor, delayMillis / 1000.0);
    }
}

package io.finetune.local.crash;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** When each phase of a run was reached, in milliseconds since the run started. */
final class Timeline {
    static final String START = "start";
    static final String PUSHED = "pushed";
    static final String SEALED = "sealed";
    static final String PREPARED = "prepared";
    static final String SUBMITTED = "submitted";
    static final String TRAINING = "training";
    static final String FIRST_CHECKPOINT = "first-checkpoint";
    /** The trainer announced its final checkpoint: sent, so the evaluator is assembling or scoring it. */
    static final String FINAL_CHECKPOINT = "final-checkpoint";
    static final String TRAINED = "trained";
    static final String EVALUATED = "evaluated";
    /** The final checkpoint is deployed; inference requests follow. */
    static final String DEPLOYED = "deployed";
    /** Every inference request has its prediction. */
    static final String SERVED = "served";

    private final long startNanos = System.nanoTime();
    private final Map<String, Long> reached = new ConcurrentHashMap<>(Map.of(START, 0L));

    long now() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    void mark(String phase) {
        reached.putIfAbsent(phase, now());
    }

    boolean reached(String phase) {
        return reached.containsKey(phase);
    }

    long at(String phase) {
        Long millis = reached.get(phase);
        if (millis == null) {
            throw new IllegalStateException("the run never reached " + phase);
        }
        return millis;
    }
}

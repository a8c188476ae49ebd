package io.finetune.local.crash;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded choice of what to break and when. Targets take turns so every service is hit about equally often; the
 * moment is uniform over the window in which that target is busy in an undisturbed run (a kill after a service has
 * finished its part proves little): ingest from the first record to the seal, preprocess from the first record to
 * the prepared dataset, the trainer from the start of training (model and data loaded) to its last step, the evaluator from the first
 * checkpoint to the final evaluation, and the broker during ingest.
 */
final class FaultPlan {
    static final List<String> ALL_TARGETS = List.of("ingest-service", "preprocess-service", "trainer-service",
            "evaluator-service", Fault.BROKER);

    private FaultPlan() {
    }

    static List<Fault> plan(Timeline baseline, List<String> targets, int trials, long seed) {
        Random random = new Random(seed);
        List<Fault> faults = new ArrayList<>(trials);
        for (int i = 0; i < trials; i++) {
            String target = targets.get(i % targets.size());
            String[] window = window(target);
            long length = baseline.at(window[1]) - baseline.at(window[0]);
            long delay = (long) (random.nextDouble() * length);
            long down = Fault.BROKER.equals(target) ? 1000 + random.nextInt(4000) : 0;
            faults.add(new Fault(target, window[0], delay, down));
        }
        return faults;
    }

    /** The phases between which the target is busy: the fault's anchor, and the end of the window. */
    private static String[] window(String target) {
        return switch (target) {
            case "ingest-service", Fault.BROKER -> new String[]{Timeline.START, Timeline.SEALED};
            case "preprocess-service" -> new String[]{Timeline.START, Timeline.PREPARED};
            case "trainer-service" -> new String[]{Timeline.TRAINING, Timeline.TRAINED};
            case "evaluator-service" -> new String[]{Timeline.FIRST_CHECKPOINT, Timeline.EVALUATED};
            default -> throw new IllegalArgumentException("unknown target " + target + "; known: " + ALL_TARGETS);
        };
    }
}

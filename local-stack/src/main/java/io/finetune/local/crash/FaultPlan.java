package io.finetune.local.crash;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeded choice of what to break and when. Targets take turns so every one is hit about equally often; the moment
 * is uniform over the window in which that target is busy in an undisturbed run (a kill after a service has finished
 * its part proves little): ingest from the first record to the seal, preprocess from the first record to the
 * prepared dataset, the trainer from the start of training (model and data loaded) to its last step, the evaluator
 * from the first checkpoint to the final evaluation, and again while it answers inference requests. The broker is killed in four windows, one per kind of traffic:
 * records ingested, shards published, checkpoints sent in chunks while training, and the final checkpoint scored
 * (from its announcement to its result).
 */
final class FaultPlan {
    static final String BROKER_SHARDS = Fault.BROKER + "-shards";
    static final String BROKER_CHECKPOINTS = Fault.BROKER + "-checkpoints";
    static final String BROKER_EVALUATION = Fault.BROKER + "-evaluation";
    /** The evaluator killed while it answers inference requests (the process is the evaluator's). */
    static final String SERVING = "evaluator-serving";
    static final List<String> ALL_TARGETS = List.of("ingest-service", "preprocess-service", "trainer-service",
            "evaluator-service", SERVING, Fault.BROKER, BROKER_SHARDS, BROKER_CHECKPOINTS, BROKER_EVALUATION);

    private FaultPlan() {
    }

    /**
     * @param replicas processes per service where there are several: a fault on such a service kills the busy
     *                 replica or another one, drawn by the seed
     */
    static List<Fault> plan(Timeline baseline, List<String> targets, int trials, long seed,
                            Map<String, Integer> replicas) {
        Random random = new Random(seed);
        List<Fault> faults = new ArrayList<>(trials);
        for (int i = 0; i < trials; i++) {
            String target = targets.get(i % targets.size());
            String[] window = window(target);
            long length = Math.max(0, baseline.at(window[1]) - baseline.at(window[0]));
            double share = random.nextDouble();
            long down = target.startsWith(Fault.BROKER) ? 1000 + random.nextInt(4000) : 0;
            String process = null;
            if (!target.startsWith(Fault.BROKER) && replicas.getOrDefault(Fault.service(target), 1) > 1) {
                process = random.nextBoolean() ? Fault.BUSY : Fault.OTHER;
            }
            faults.add(new Fault(target, process, window[0], window[1], share, (long) (share * length), down));
        }
        return faults;
    }

    /** The phases between which the target is busy: the fault's anchor, and the end of the window. */
    private static String[] window(String target) {
        return switch (target) {
            case "ingest-service", Fault.BROKER -> new String[]{Timeline.START, Timeline.SEALED};
            case "preprocess-service" -> new String[]{Timeline.START, Timeline.PREPARED};
            case BROKER_SHARDS -> new String[]{Timeline.SEALED, Timeline.PREPARED};
            case "trainer-service" -> new String[]{Timeline.TRAINING, Timeline.TRAINED};
            case BROKER_CHECKPOINTS -> new String[]{Timeline.FIRST_CHECKPOINT, Timeline.TRAINED};
            case "evaluator-service" -> new String[]{Timeline.FIRST_CHECKPOINT, Timeline.EVALUATED};
            case BROKER_EVALUATION -> new String[]{Timeline.FINAL_CHECKPOINT, Timeline.EVALUATED};
            case SERVING -> new String[]{Timeline.DEPLOYED, Timeline.SERVED};
            default -> throw new IllegalArgumentException("unknown target " + target + "; known: " + ALL_TARGETS);
        };
    }
}

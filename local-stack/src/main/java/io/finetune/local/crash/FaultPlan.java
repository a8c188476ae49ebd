package io.finetune.local.crash;

import io.finetune.local.LocalStack;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeded choice of what to break and when. Targets take turns so every one is hit about equally often; the moment
 * is uniform over the window in which that target is busy in an undisturbed run (a kill after a service has finished
 * its part proves little): ingest from the first record to the seal, preprocess from the first record to the
 * prepared dataset, the trainer from the start of training (model and data loaded) to its last step, the evaluator
 * from the first checkpoint to the final evaluation, and again while it answers inference requests; a serving replica
 * (when the stack runs some) while it answers them. The broker is killed in four windows, one per kind of traffic:
 * records ingested, shards published, checkpoints sent in chunks while training, and the final checkpoint scored
 * (from its announcement to its result).
 */
final class FaultPlan {
    static final String BROKER_SHARDS = Fault.BROKER + "-shards";
    static final String BROKER_CHECKPOINTS = Fault.BROKER + "-checkpoints";
    static final String BROKER_EVALUATION = Fault.BROKER + "-evaluation";
    /** The evaluator killed while it answers inference requests (the process is the evaluator's). */
    static final String SERVING = "evaluator-serving";
    /**
     * A serving replica of the evaluator ({@code evaluator-serving-<n>}) killed while it answers inference requests;
     * only when the stack runs some ({@code --replicas evaluator-serving=N}).
     */
    static final String SERVING_REPLICA = "serving-replica";
    /** The targets of a stack without serving replicas; {@link #targets} adds {@link #SERVING_REPLICA} where. */
    static final List<String> ALL_TARGETS = List.of("ingest-service", "preprocess-service", "trainer-service",
            "evaluator-service", SERVING, Fault.BROKER, BROKER_SHARDS, BROKER_CHECKPOINTS, BROKER_EVALUATION);

    private FaultPlan() {
    }

    /** Every target a stack with these replicas offers: {@link #ALL_TARGETS}, and a serving replica if it runs one. */
    static List<String> targets(Map<String, Integer> replicas) {
        if (replicas.getOrDefault(LocalStack.SERVING_REPLICAS, 0) < 1) {
            return ALL_TARGETS;
        }
        List<String> targets = new ArrayList<>(ALL_TARGETS);
        targets.add(SERVING_REPLICA);
        return List.copyOf(targets);
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
            case SERVING, SERVING_REPLICA -> new String[]{Timeline.DEPLOYED, Timeline.SERVED};
            default -> throw new IllegalArgumentException("unknown target " + target + "; known: " + ALL_TARGETS
                    + " and " + SERVING_REPLICA);
        };
    }
}

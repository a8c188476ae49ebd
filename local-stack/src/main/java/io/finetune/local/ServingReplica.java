package io.finetune.local;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * One serving replica of the evaluator on this machine (docs/serving.md, Serving replicas): the evaluator's jar in the
 * Quarkus profile {@code serving}, named and transacting as {@code evaluator-serving-<ordinal>}, counted from 0 as the
 * StatefulSet's pods are. Its data dir, a cache of the deployed models, is below its own temporary folder like every
 * local process's.
 */
public record ServingReplica(int ordinal) {
    /** Whose jar a replica runs. */
    public static final String SERVICE = "evaluator-service";

    public ServingReplica {
        if (ordinal < 0) {
            throw new IllegalArgumentException("a serving replica's ordinal counts from 0, not " + ordinal);
        }
    }

    /** Replicas 0 to {@code count - 1}. */
    public static List<ServingReplica> first(int count) {
        return IntStream.range(0, count).mapToObj(ServingReplica::new).toList();
    }

    /** The process's name and its transactional id, which must start with {@code evaluator-serving-}. */
    public String name() {
        return LocalStack.SERVING_REPLICAS + "-" + ordinal;
    }

    /** What makes the evaluator's jar a serving replica. */
    public Map<String, String> properties() {
        return Map.of("quarkus.profile", "prod,serving", "serving.transactional-id", name());
    }
}

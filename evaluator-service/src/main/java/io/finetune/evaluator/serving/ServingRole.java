package io.finetune.evaluator.serving;

import io.finetune.contracts.KafkaAccess;
import io.finetune.evaluator.config.EvaluatorConfig;

/** What the role asks of serving's settings, checked before serving starts. */
public final class ServingRole {
    /** Every replica's transactional id starts with this, and the evaluator user's ACL covers the prefix. */
    public static final String REPLICA_ID_PREFIX = KafkaAccess.SERVING_TRANSACTIONAL_ID + "-";

    private ServingRole() {
    }

    /**
     * The transactional id to serve with.
     *
     * @throws IllegalStateException for a serving replica whose id is not its own: two processes with one id fence
     *                               each other, so a replica left on the evaluator's id would stop the evaluator's
     *                               serving (or be stopped by it) at every start
     */
    public static String transactionalId(EvaluatorConfig.Role role, String configured) {
        if (role == EvaluatorConfig.Role.SERVING && (!configured.startsWith(REPLICA_ID_PREFIX)
                || configured.length() == REPLICA_ID_PREFIX.length())) {
            throw new IllegalStateException("a serving replica (evaluator.role=serving) needs a transactional id of"
                    + " its own that starts with '" + REPLICA_ID_PREFIX + "', such as its pod name '"
                    + REPLICA_ID_PREFIX + "0': set serving.transactional-id (SERVING_TRANSACTIONAL_ID); it is '"
                    + configured + "', and two processes with one id fence each other");
        }
        return configured;
    }
}

package io.finetune.evaluator.messaging;

/** Channel names of application.properties, shared with the tests. */
public final class Channels {
    public static final String CHECKPOINTS = "checkpoints";
    public static final String EVALUATIONS = "evaluations";
    public static final String DEAD_LETTERS = "dead-letters";

    private Channels() {
    }
}

package io.finetune.preprocess.messaging;

/** Channel names of application.properties, shared with the tests. */
public final class Channels {
    public static final String SHARDS = "shards";
    public static final String DEAD_LETTERS = "dead-letters";

    private Channels() {
    }
}

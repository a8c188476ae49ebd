package io.finetune.trainer.messaging;

/** Channel names of application.properties, shared with the tests. */
public final class Channels {
    public static final String TRAINING_JOBS = "training-jobs";
    public static final String JOB_SUBMISSIONS = "job-submissions";
    public static final String PROGRESS = "progress";
    public static final String CHECKPOINTS = "checkpoints";
    public static final String DEAD_LETTERS = "dead-letters";

    private Channels() {
    }
}

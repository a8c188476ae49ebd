package io.finetune.preprocess.domain;

import java.util.List;

/** The split names, in the order shards and reports list them. */
public final class Splits {
    public static final String TRAIN = "train";
    public static final String VALIDATION = "validation";
    public static final String TEST = "test";
    /**
     * The promotion holdout (docs/serving.md#promotion): records no run trains, validates or reports on, that decide
     * whether a new model replaces a deployment's. Only a dataset prepared with a holdoutFraction above 0 has it.
     */
    public static final String HOLDOUT = "holdout";
    /** The splits every dataset has; {@link #HOLDOUT} comes after them where there is one. */
    public static final List<String> ALL = List.of(TRAIN, VALIDATION, TEST);

    private Splits() {
    }
}

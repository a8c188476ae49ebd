package io.finetune.preprocess.domain;

import java.util.List;

/** The split names, in the order shards and reports list them. */
public final class Splits {
    public static final String TRAIN = "train";
    public static final String VALIDATION = "validation";
    public static final String TEST = "test";
    public static final List<String> ALL = List.of(TRAIN, VALIDATION, TEST);

    private Splits() {
    }
}

package io.finetune.preprocess.domain;

/** A dataset that cannot be prepared as asked, with a stable reason code for the dead letter and the status. */
public class PreparationFailure extends RuntimeException {
    private final String reason;

    public PreparationFailure(String reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}

package io.finetune.evaluator.domain;

/**
 * A checkpoint that cannot be evaluated for a reason its publisher can fix (unknown dataset, labels or vocabulary
 * that do not match the data). Becomes a dead letter with {@link #reason()} as its countable code.
 */
public class Rejection extends RuntimeException {
    private final String reason;
    private final String dataset;

    public Rejection(String reason, String dataset, String detail) {
        super(detail);
        this.reason = reason;
        this.dataset = dataset;
    }

    public String reason() {
        return reason;
    }

    public String dataset() {
        return dataset;
    }
}

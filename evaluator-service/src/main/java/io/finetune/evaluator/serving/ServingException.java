package io.finetune.evaluator.serving;

/** A deployment change that cannot be made, with why; the REST layer turns {@link #kind} into a status. */
public class ServingException extends RuntimeException {
    public enum Kind {
        INVALID_NAME, ALREADY_EXISTS, UNKNOWN_DEPLOYMENT, UNKNOWN_CHECKPOINT, MODEL_NOT_KEPT, NOTHING_TO_ROLL_BACK,
        /** A promotion policy with a metric, margin or evaluation set that does not exist. */
        INVALID_POLICY,
        /** A promotion policy for a deployment whose checkpoint's dataset has no promotion holdout to judge on. */
        NO_HOLDOUT,
        /** A retraining the champion's record cannot set up: no job settings on record, an unknown warm start. */
        CANNOT_RETRAIN,
        /** A correction without a request id or text, or with a label the checkpoint behind it does not have. */
        INVALID_CORRECTION,
        /** The checkpoint's dataset definition could not be read from ingest's registry topic: try again. */
        REGISTRY_UNAVAILABLE
    }

    private final Kind kind;

    ServingException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    /** With the failure behind it, so that one that passes (the broker away a moment) is retried as such. */
    ServingException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}

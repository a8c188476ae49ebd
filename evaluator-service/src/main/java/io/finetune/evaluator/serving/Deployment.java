package io.finetune.evaluator.serving;

import java.time.Instant;
import java.util.regex.Pattern;

/**
 * A named deployment (e.g. "phishing") and the checkpoint it serves. One checkpoint at a time; the one before it is
 * remembered so that a bad change can be rolled back.
 *
 * @param checkpoint the checkpoint whose model answers this deployment's requests
 * @param previous   the checkpoint it served before the last change, or null: what a rollback returns to
 * @param policy     when a newly evaluated checkpoint replaces {@code checkpoint} on its own (docs/serving.md#promotion),
 *                   or null: only a person points the deployment elsewhere
 * @param retraining when a job retrains the champion on its own (docs/serving.md#retraining), or null: never
 */
public record Deployment(String name, String checkpoint, String previous, Instant createdAt, Instant updatedAt,
                         PromotionPolicy policy, RetrainingPolicy retraining) {
    /** Lower-case letters, digits and inner dashes: the name appears in requests, file names and metric tags. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    static Deployment create(String name, String checkpoint, Instant now) {
        return new Deployment(name, checkpoint, null, now, now, null, null);
    }

    Deployment pointedAt(String newCheckpoint, Instant now) {
        return new Deployment(name, newCheckpoint, checkpoint, createdAt, now, policy, retraining);
    }

    /** Back to {@link #previous}; a second rollback has nothing left to return to. */
    Deployment rolledBack(Instant now) {
        return new Deployment(name, previous, null, createdAt, now, policy, retraining);
    }

    /** @param newPolicy null to promote nothing on its own any more */
    Deployment withPolicy(PromotionPolicy newPolicy, Instant now) {
        return new Deployment(name, checkpoint, previous, createdAt, now, newPolicy, retraining);
    }

    /** @param newRetraining null to retrain nothing on its own any more */
    Deployment withRetraining(RetrainingPolicy newRetraining, Instant now) {
        return new Deployment(name, checkpoint, previous, createdAt, now, policy, newRetraining);
    }
}

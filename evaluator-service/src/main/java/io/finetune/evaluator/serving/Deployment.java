package io.finetune.evaluator.serving;

import java.time.Instant;
import java.util.List;
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
 * @param textFields the fields of a request's raw record that make its text: those of the definition of
 *                   {@code checkpoint}'s dataset on ingest's registry, read whenever {@code checkpoint} changes; null
 *                   for a deployment recorded before requests could carry records (pointing it at its checkpoint
 *                   again reads them)
 */
public record Deployment(String name, String checkpoint, String previous, Instant createdAt, Instant updatedAt,
                         PromotionPolicy policy, RetrainingPolicy retraining, List<String> textFields)
        implements ServedDeployment {
    /** Lower-case letters, digits and inner dashes: the name appears in requests, file names and metric tags. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** @param textFields the text fields of the checkpoint's dataset */
    static Deployment create(String name, String checkpoint, List<String> textFields, Instant now) {
        return new Deployment(name, checkpoint, null, now, now, null, null, textFields);
    }

    /** @param newTextFields the text fields of the new checkpoint's dataset */
    Deployment pointedAt(String newCheckpoint, List<String> newTextFields, Instant now) {
        return new Deployment(name, newCheckpoint, checkpoint, createdAt, now, policy, retraining, newTextFields);
    }

    /**
     * Back to {@link #previous}; a second rollback has nothing left to return to.
     *
     * @param previousTextFields the text fields of the previous checkpoint's dataset
     */
    Deployment rolledBack(List<String> previousTextFields, Instant now) {
        return new Deployment(name, previous, null, createdAt, now, policy, retraining, previousTextFields);
    }

    /** The same checkpoint, its dataset's text fields read again. */
    Deployment withTextFields(List<String> newTextFields, Instant now) {
        return new Deployment(name, checkpoint, previous, createdAt, now, policy, retraining, newTextFields);
    }

    /** @param newPolicy null to promote nothing on its own any more */
    Deployment withPolicy(PromotionPolicy newPolicy, Instant now) {
        return new Deployment(name, checkpoint, previous, createdAt, now, newPolicy, retraining, textFields);
    }

    /** @param newRetraining null to retrain nothing on its own any more */
    Deployment withRetraining(RetrainingPolicy newRetraining, Instant now) {
        return new Deployment(name, checkpoint, previous, createdAt, now, policy, newRetraining, textFields);
    }
}

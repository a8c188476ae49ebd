package io.finetune.contracts;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * Where a labeled record came from, when its writer says so: an upload, a raw push, or a person's correction of a
 * prediction ("this was not phishing"). Optional on a raw record and on an uploaded JSON record (field
 * {@code origin}), checked by ingest, carried into {@link DatasetRecord#origin()}; preprocess counts a dataset's
 * records by {@link #kind()} in its cleaning report ({@link CleaningReport#origins()}).
 *
 * @param kind       what produced the record: {@link #CORRECTION}, or another name of 1-32 lower-case letters,
 *                   digits and inner dashes ({@code upload}, {@code raw}, {@code review}, ...)
 * @param deployment the deployment whose prediction the record answers; required for a correction
 * @param requestId  the inference request that prediction answered; required for a correction
 * @param checkpoint the checkpoint that made (or served when corrected) that prediction, when known
 * @param predicted  the label the model gave, when known: with the record's label, whether the model was wrong
 */
public record RecordOrigin(String kind, String deployment, String requestId, String checkpoint, String predicted) {
    /** A person's label for a text a deployment classified: read in the shape text, label, id, whatever the dataset. */
    public static final String CORRECTION = "correction";

    public static RecordOrigin correction(String deployment, String requestId, String checkpoint, String predicted) {
        return new RecordOrigin(CORRECTION, deployment, requestId, checkpoint, predicted);
    }

    @JsonIgnore // not a field of the event
    public boolean isCorrection() {
        return CORRECTION.equals(kind);
    }

    /**
     * The record id a correction of a request gets, {@code correction:<deployment>:<requestId>}: correcting the same
     * request twice gives one record after preprocess's removal of duplicate ids.
     */
    public static String correctionId(String deployment, String requestId) {
        return CORRECTION + ":" + deployment + ":" + requestId;
    }
}

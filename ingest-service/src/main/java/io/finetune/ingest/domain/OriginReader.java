package io.finetune.ingest.domain;

import com.fasterxml.jackson.databind.JsonNode;
import io.finetune.contracts.CleaningReport;
import io.finetune.contracts.RecordOrigin;

import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads a record's optional {@code origin} object ({@link RecordOrigin}): a kind, and for a correction of a prediction
 * the deployment and request it corrects. Strict, because the origin is provenance: a misspelt field or kind would
 * silently count the record as something else, so anything unexpected is refused as {@code invalid-origin}.
 */
final class OriginReader {
    static final String FIELD = "origin";
    static final String REASON = "invalid-origin";
    /** Short and tame: the kind is a key of the cleaning report and may become a metric tag. */
    private static final Pattern KIND = Pattern.compile("[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?");
    private static final List<String> FIELDS = List.of("kind", "deployment", "requestId", "checkpoint", "predicted");
    private static final int MAX_VALUE_LENGTH = 256;
    private static final String EXAMPLE = "{\"kind\": \"correction\", \"deployment\": \"phishing\", \"requestId\":"
            + " \"mail-4711\", \"checkpoint\": \"job-7-epoch-3\", \"predicted\": \"phishing\"}";

    /** The origin, or null when the record names none. */
    record Read(RecordOrigin origin, String problem) {
    }

    private OriginReader() {
    }

    /** @param node the record; its {@code origin} may be absent or null (no origin) */
    static Read read(JsonNode node, DatasetDefinition definition) {
        JsonNode origin = node.get(FIELD);
        if (origin == null || origin.isNull()) {
            return new Read(null, null);
        }
        if (!origin.isObject()) {
            return problem("'origin' must be a JSON object, e.g. " + EXAMPLE);
        }
        for (Iterator<String> names = origin.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                return problem("'origin." + name + "' is not a field of an origin; it has " + FIELDS);
            }
        }
        String[] values = new String[FIELDS.size()];
        for (int i = 0; i < FIELDS.size(); i++) {
            JsonNode value = origin.get(FIELDS.get(i));
            if (value == null || value.isNull()) {
                continue;
            }
            if (!value.isTextual() || value.asText().isBlank() || value.asText().length() > MAX_VALUE_LENGTH) {
                return problem("'origin." + FIELDS.get(i) + "' must be a non-blank string of at most "
                        + MAX_VALUE_LENGTH + " characters");
            }
            values[i] = value.asText();
        }
        RecordOrigin read = new RecordOrigin(values[0], values[1], values[2], values[3], values[4]);
        if (read.kind() == null) {
            return problem("'origin.kind' is required: what produced the record, e.g. \"correction\"");
        }
        if (!KIND.matcher(read.kind()).matches()) {
            return problem("'origin.kind' '" + read.kind() + "' must be 1-32 lower-case letters, digits or inner"
                    + " dashes, e.g. \"correction\"");
        }
        if (read.kind().equals(CleaningReport.NO_ORIGIN)) {
            return problem("'origin.kind' '" + CleaningReport.NO_ORIGIN + "' is what the cleaning report calls records"
                    + " without an origin: leave 'origin' out instead");
        }
        if (read.isCorrection() && (read.deployment() == null || read.requestId() == null)) {
            return problem("a correction's origin names the 'deployment' and the 'requestId' of the prediction it"
                    + " corrects, e.g. " + EXAMPLE);
        }
        if (read.predicted() != null && !definition.allows(read.predicted().trim())) {
            return problem("'origin.predicted' '" + read.predicted() + "' is not one of " + definition.labels());
        }
        return new Read(read, null);
    }

    private static Read problem(String detail) {
        return new Read(null, detail);
    }
}

package io.finetune.contracts;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * How a record's text fields become the text a model reads, the one rule for ingest, which reads labeled records this
 * way, and the evaluator, which reads the raw record an inference request carries the same way: of the fields a
 * dataset's definition lists as text fields, in its order, the non-blank strings joined by a newline (an e-mail's
 * subject, then its body). A field that is missing, null or blank is passed over; one that is not a string is an
 * error; a record none of whose text fields has text has no text.
 */
public final class RecordText {
    /** The text field of a dataset nobody defined (its records pushed straight onto Kafka): ingest's default shape. */
    public static final List<String> DEFAULT_FIELDS = List.of("text");

    /** The text, or why the record has none. */
    public sealed interface Read {
    }

    public record Text(String text) implements Read {
    }

    /**
     * @param reason a stable code: {@code wrong-type} or {@code missing-text}
     * @param field  the field to blame: the one of the wrong type, or the first text field
     */
    public record Problem(String reason, String field, String detail) implements Read {
    }

    /** @param textFields the dataset definition's text fields, at least one */
    public static Read of(JsonNode record, List<String> textFields) {
        List<String> parts = new ArrayList<>();
        for (String field : textFields) {
            JsonNode value = record.get(field);
            if (value == null || value.isNull()) {
                continue;
            }
            if (!value.isTextual()) {
                return new Problem("wrong-type", field, "'" + field + "' must be a string");
            }
            if (!value.asText().isBlank()) {
                parts.add(value.asText());
            }
        }
        if (parts.isEmpty()) {
            return new Problem("missing-text", textFields.get(0), "the record has no text: '"
                    + String.join("', '", textFields) + "' missing or blank");
        }
        return new Text(String.join("\n", parts));
    }

    private RecordText() {
    }
}

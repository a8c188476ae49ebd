package io.finetune.ingest.domain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.finetune.contracts.DatasetRecord;
import io.finetune.contracts.FieldProblem;
import io.finetune.contracts.Hashing;
import io.finetune.contracts.Json;
import io.finetune.contracts.PreprocessOptionsReader;
import io.finetune.contracts.RecordText;
import io.finetune.contracts.SafeNames;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Checks one record: valid UTF-8, a JSON object of bounded size and depth, a dataset name, a non-blank text, an
 * allowed label and, when it names one, a well-formed origin ({@link OriginReader}). Every rejection names a reason
 * code and, where one is to blame, the field.
 */
public final class RecordValidator {
    private static final Set<String> SPLITS = Set.of("train", "validation", "test");
    private static final List<String> CORRECTION_TEXT = List.of("text");
    private static final ObjectMapper STRICT = Json.MAPPER.copy();

    static {
        // Deeply nested JSON is an attack, not a record: refuse it before it costs stack or memory.
        STRICT.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).build());
    }

    private final int maxRecordBytes;
    private final Function<String, DatasetDefinition> definitions;

    /** @param definitions how each dataset's records are shaped (default fields for datasets nobody defined) */
    public RecordValidator(int maxRecordBytes, Function<String, DatasetDefinition> definitions) {
        this.maxRecordBytes = maxRecordBytes;
        this.definitions = definitions;
    }

    /** A record from the raw topic: the dataset is named in the record, or else by the Kafka key. */
    public Validation validateRaw(byte[] value, String key) {
        String dataset = key;
        if (value == null || value.length == 0) {
            return new Validation.Rejected(dataset, "empty-record", null, "the record has no value");
        }
        if (value.length > maxRecordBytes) {
            return new Validation.Rejected(dataset, "too-large", null,
                    "the record has " + value.length + " bytes, more than the limit of " + maxRecordBytes);
        }
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value)).toString();
        } catch (CharacterCodingException e) {
            return new Validation.Rejected(dataset, "invalid-utf8", null, "the record is not valid UTF-8");
        }
        JsonNode node;
        try {
            node = STRICT.readTree(json);
        } catch (JsonProcessingException e) {
            return new Validation.Rejected(dataset, "invalid-json", null, "not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            return new Validation.Rejected(dataset, "not-an-object", null, "a record must be a JSON object");
        }
        JsonNode named = node.get("dataset");
        if (named != null && !named.isNull()) {
            if (!named.isTextual()) {
                return new Validation.Rejected(dataset, "wrong-type", "dataset", "'dataset' must be a string");
            }
            dataset = named.asText();
        }
        if (dataset == null || dataset.isBlank()) {
            return new Validation.Rejected(null, "missing-dataset", "dataset",
                    "name the dataset in a 'dataset' field or in the record key");
        }
        if (!SafeNames.isSafe(dataset)) {
            return new Validation.Rejected(null, "invalid-dataset-name", "dataset", "dataset name '" + dataset
                    + "' must be 1-128 letters, digits, '.', '_' or '-'");
        }
        JsonNode end = node.get("end");
        if (end != null && !end.isNull() && !end.isBoolean()) {
            return new Validation.Rejected(dataset, "wrong-type", "end", "'end' must be true or false");
        }
        if (end != null && end.asBoolean()) {
            return seal(dataset, node.get("options"));
        }
        return validateRecord((ObjectNode) node, dataset);
    }

    /** A record of a dataset named by the caller (REST uploads). */
    public Validation validateRecord(ObjectNode node, String dataset) {
        return validateRecord(node, definitions.apply(dataset));
    }

    /**
     * A record read through the given field names (a well-known format's, or the dataset's own). A correction of a
     * prediction ({@code origin.kind} "correction") is read as {@code text}, {@code label} and {@code id} whatever
     * the dataset's fields: it repeats the text an inference request carried, in the pipeline's own shape.
     */
    public Validation validateRecord(ObjectNode node, DatasetDefinition given) {
        OriginReader.Read origin = OriginReader.read(node, given);
        if (origin.problem() != null) {
            return new Validation.Rejected(given.name(), OriginReader.REASON, OriginReader.FIELD, origin.problem());
        }
        DatasetDefinition definition = origin.origin() != null && origin.origin().isCorrection()
                ? given.withFields(CORRECTION_TEXT, "label", "id") : given;
        String dataset = definition.name();
        RecordText.Read read = RecordText.of(node, definition.textFields());
        if (read instanceof RecordText.Problem problem) {
            return new Validation.Rejected(dataset, problem.reason(), problem.field(), problem.detail());
        }
        String text = ((RecordText.Text) read).text();
        // Only JSON Lines readers cut long lines; a CSV row, a JSON array item or a Parquet row reaches here whole,
        // and a text that cannot fit a Kafka record must be rejected here rather than fail the send (a 500).
        if (text.length() > maxRecordBytes / 3 && text.getBytes(StandardCharsets.UTF_8).length > maxRecordBytes) {
            return new Validation.Rejected(dataset, "too-large", definition.textFields().get(0),
                    "the text is longer than the record limit of " + maxRecordBytes + " bytes");
        }
        if (text.indexOf('\u0000') >= 0) {
            return new Validation.Rejected(dataset, "nul-character", definition.textFields().get(0),
                    "the text contains NUL characters");
        }
        JsonNode labelNode = node.get(definition.labelField());
        if (labelNode == null || labelNode.isNull() || (labelNode.isTextual() && labelNode.asText().isBlank())) {
            return new Validation.Rejected(dataset, "missing-label", definition.labelField(), "the record has no label");
        }
        if (!labelNode.isTextual() && !labelNode.isIntegralNumber() && !labelNode.isBoolean()) {
            return new Validation.Rejected(dataset, "wrong-type", definition.labelField(),
                    "the label must be a string, an integer or a boolean");
        }
        String label = labelNode.asText().trim();
        if (!definition.allows(label)) {
            return new Validation.Rejected(dataset, "unknown-label", definition.labelField(),
                    "label '" + label + "' is not one of " + definition.labels());
        }
        JsonNode splitNode = node.get("split");
        String split = null;
        if (splitNode != null && !splitNode.isNull()) {
            split = splitNode.asText();
            if (!splitNode.isTextual() || !SPLITS.contains(split)) {
                return new Validation.Rejected(dataset, "invalid-split", "split",
                        "split '" + split + "' is not one of " + SPLITS);
            }
        }
        String idField = definition.idField() == null ? "id" : definition.idField();
        JsonNode idNode = node.get(idField);
        if (idNode != null && !idNode.isNull() && !idNode.isTextual() && !idNode.isIntegralNumber()) {
            return new Validation.Rejected(dataset, "wrong-type", idField, "'" + idField
                    + "' must be a string or an integer");
        }
        String id = idNode != null && !idNode.isNull() && !idNode.asText().isBlank()
                ? idNode.asText()
                // Content-derived ids keep shards byte-identical when the same data is pushed again.
                : Hashing.sha256Hex(text + '\u0000' + label).substring(0, 20);
        return new Validation.Accepted(DatasetRecord.record(dataset, id, text, label, split, origin.origin()));
    }

    /** An end marker; its options are checked as a seal's over REST is, every problem named in the dead letter. */
    private Validation seal(String dataset, JsonNode options) {
        PreprocessOptionsReader.Read read = PreprocessOptionsReader.read(options);
        if (!read.problems().isEmpty()) {
            return new Validation.Rejected(dataset, "invalid-options", "options", read.problems().stream()
                    .map(FieldProblem::describe).collect(Collectors.joining("; ")));
        }
        return new Validation.Seal(dataset, read.options());
    }
}

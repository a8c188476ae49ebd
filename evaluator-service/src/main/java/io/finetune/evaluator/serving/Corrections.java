package io.finetune.evaluator.serving;

import io.finetune.contracts.EvaluationResult;
import io.finetune.contracts.Json;
import io.finetune.contracts.RecordOrigin;
import io.finetune.contracts.Topics;
import io.finetune.evaluator.domain.EvaluatedCheckpoint;
import io.finetune.evaluator.domain.EvaluationStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A person's label for a text a deployment classified ("this was not phishing") goes back into the deployment's
 * dataset: checked against the labels of the checkpoint behind the prediction, then put onto ingest's raw topic as a
 * labeled record with its origin, keyed by the checkpoint's dataset, with the id {@code
 * correction:<deployment>:<requestId>} so that correcting a request again adds no second record (preprocess keeps one
 * record per id: the first it received). Whether ingest accepts it is the dataset's affair: a sealed dataset
 * dead-letters it.
 */
@ApplicationScoped
public class Corrections {
    /** Ingest's limit on an origin's values; a request id longer than that could not travel in the origin. */
    static final int MAX_REQUEST_ID = 256;
    /** Far beyond what a model reads (512 tokens), far below a Kafka record's 1 MiB. */
    static final int MAX_TEXT = 100_000;

    /**
     * A correction as the caller gives it.
     *
     * @param checkpoint the checkpoint the prediction names, when the caller kept it; else the deployment's current one
     * @param predicted  the label the prediction gave, when the caller kept it
     */
    public record Correction(String requestId, String text, String label, String predicted, String checkpoint) {
    }

    /** What was recorded, and where. */
    public record Receipt(String id, String dataset, String deployment, String checkpoint, String label,
                          String predicted, String topic, int partition, long offset) {
    }

    private final Deployments deployments;
    private final EvaluationStore evaluations;
    private final CorrectionRecords records;
    private final ServingMeters meters;

    public Corrections(Deployments deployments, EvaluationStore evaluations, CorrectionRecords records,
                       ServingMeters meters) {
        this.deployments = deployments;
        this.evaluations = evaluations;
        this.records = records;
        this.meters = meters;
    }

    /**
     * @throws ServingException UNKNOWN_DEPLOYMENT, or INVALID_CORRECTION naming what is wrong
     * @throws IllegalStateException when Kafka did not acknowledge the record
     */
    public Receipt submit(String deploymentName, Correction correction) {
        Deployment deployment = deployments.get(deploymentName).orElseThrow(() -> new ServingException(
                ServingException.Kind.UNKNOWN_DEPLOYMENT, "no deployment '" + deploymentName + "'"));
        if (correction == null) {
            throw invalid("a correction is required: {\"requestId\": \"mail-4711\", \"text\": \"...\","
                    + " \"label\": \"legit\"}");
        }
        String requestId = required("requestId", correction.requestId());
        if (requestId.length() > MAX_REQUEST_ID) {
            throw invalid("'requestId' has " + requestId.length() + " characters, more than " + MAX_REQUEST_ID);
        }
        String text = required("text", correction.text());
        if (text.length() > MAX_TEXT) {
            throw invalid("'text' has " + text.length() + " characters, more than " + MAX_TEXT);
        }
        EvaluationResult behind = checkpointBehind(deployment, correction.checkpoint());
        String label = allowed("label", required("label", correction.label()), behind);
        String predicted = correction.predicted() == null ? null : allowed("predicted", correction.predicted(), behind);

        String id = RecordOrigin.correctionId(deployment.name(), requestId);
        RecordOrigin origin = RecordOrigin.correction(deployment.name(), requestId, behind.checkpointId(), predicted);
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("dataset", behind.dataset());
        raw.put("id", id);
        raw.put("text", text);
        raw.put("label", label);
        raw.put("origin", origin);
        RecordMetadata sent = records.send(behind.dataset(), Json.write(raw));
        meters.corrected(deployment.name(), label, predicted);
        return new Receipt(id, behind.dataset(), deployment.name(), behind.checkpointId(), label, predicted,
                Topics.RAW_RECORDS, sent.partition(), sent.offset());
    }

    /** The served checkpoint, or the one the caller names if it was trained on the same dataset. */
    private EvaluationResult checkpointBehind(Deployment deployment, String named) {
        EvaluationResult served = evaluation(deployment.checkpoint()).orElseThrow(() -> new ServingException(
                ServingException.Kind.UNKNOWN_CHECKPOINT, "no evaluation of checkpoint '" + deployment.checkpoint()
                + "', which deployment '" + deployment.name() + "' serves, is on record"));
        if (named == null || named.equals(served.checkpointId())) {
            return served;
        }
        EvaluationResult given = evaluation(named).orElseThrow(() -> invalid("'checkpoint' '" + named
                + "' is no checkpoint this evaluator evaluated; leave it out to mean the one the deployment serves, '"
                + served.checkpointId() + "'"));
        if (!given.dataset().equals(served.dataset())) {
            throw invalid("'checkpoint' '" + named + "' was trained on dataset '" + given.dataset() + "', not on '"
                    + served.dataset() + "', the dataset of the checkpoint deployment '" + deployment.name()
                    + "' serves");
        }
        return given;
    }

    private java.util.Optional<EvaluationResult> evaluation(String checkpoint) {
        return evaluations.get(checkpoint).map(EvaluatedCheckpoint::result);
    }

    private static String required(String field, String value) {
        if (value == null || value.isBlank()) {
            throw invalid("'" + field + "' is required and must not be blank");
        }
        return value;
    }

    private static String allowed(String field, String value, EvaluationResult checkpoint) {
        String label = value.trim();
        List<String> labels = checkpoint.labels();
        if (!labels.contains(label)) {
            throw invalid("'" + field + "' '" + value + "' is not a label of checkpoint '" + checkpoint.checkpointId()
                    + "'; its labels are " + labels);
        }
        return label;
    }

    private static ServingException invalid(String detail) {
        return new ServingException(ServingException.Kind.INVALID_CORRECTION, detail);
    }
}

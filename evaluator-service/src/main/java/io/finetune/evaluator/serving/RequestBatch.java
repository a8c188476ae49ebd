package io.finetune.evaluator.serving;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.finetune.contracts.DeadLetter;
import io.finetune.contracts.InferenceRequest;
import io.finetune.contracts.Json;
import io.finetune.contracts.Prediction;
import io.finetune.contracts.RecordText;
import io.finetune.evaluator.domain.TextClassifier;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One poll's inference requests, answered together: each request is checked, resolved to its deployment's current
 * checkpoint and to its text (given, or made from its raw record through the deployment's text fields as ingest makes
 * a labeled record's, {@link RecordText}), and the texts of all requests for one checkpoint go through its model in
 * one call (which pads dynamically, batch by batch of similar length). A request that cannot be answered becomes a
 * dead letter with a reason code instead; nothing is dropped.
 */
public final class RequestBatch {
    static final String SERVICE = "evaluator-service";

    /** A polled record: its value, its timestamp (epoch ms) and where it came from ("kafka:topic/partition@offset"). */
    public record Incoming(String value, long timestamp, String origin) {
    }

    /** What to send: a prediction per answered request, a dead letter per other one. */
    public record Outcome(List<Prediction> predictions, List<DeadLetter> deadLetters) {
    }

    /** Labels texts with a checkpoint's model, in order. */
    @FunctionalInterface
    public interface Labeler {
        List<TextClassifier.Prediction> label(String checkpoint, List<String> texts);
    }

    private record Accepted(InferenceRequest request, String text, ServedDeployment deployment, Incoming record) {
    }

    private final Supplier<? extends List<? extends ServedDeployment>> deployments;
    private final Optional<String> defaultDeployment;
    private final Labeler labeler;
    private final ServingSource latecomers;
    /** The transactional id of the serving process, named in each prediction; null where there is none (tests). */
    private final String servedBy;

    /**
     * @param deployments       the deployments as they are now: read once per batch, so a batch is answered by the
     *                          checkpoints deployments pointed at when it began
     * @param defaultDeployment who answers a request that names no deployment; none means such a request is refused
     */
    public RequestBatch(Supplier<? extends List<? extends ServedDeployment>> deployments,
                        Optional<String> defaultDeployment, Labeler labeler) {
        this.deployments = deployments;
        this.defaultDeployment = defaultDeployment;
        this.labeler = labeler;
        this.latecomers = null;
        this.servedBy = null;
    }

    /**
     * Answers from what the source serves; a request naming a deployment the batch began without is looked up again
     * once the source has caught up ({@link ServingSource#catchUp}), before it is refused.
     *
     * @param servedBy the serving process's transactional id, which each prediction names
     */
    public RequestBatch(ServingSource source, Optional<String> defaultDeployment, String servedBy) {
        this.deployments = source::deployments;
        this.defaultDeployment = defaultDeployment;
        this.labeler = source::label;
        this.latecomers = source;
        this.servedBy = servedBy;
    }

    public Outcome answer(List<Incoming> records) {
        Deployments byName = new Deployments();
        deployments.get().forEach(d -> byName.found.put(d.name(), d));
        List<DeadLetter> deadLetters = new ArrayList<>();
        Map<String, List<Accepted>> byCheckpoint = new LinkedHashMap<>();
        for (Incoming record : records) {
            try {
                Accepted accepted = accept(record, byName);
                byCheckpoint.computeIfAbsent(accepted.deployment().checkpoint(), c -> new ArrayList<>())
                        .add(accepted);
            } catch (Refused e) {
                deadLetters.add(DeadLetter.of(SERVICE, record.origin(), null, e.reason, e.getMessage(),
                        record.value()));
            }
        }
        List<Prediction> predictions = new ArrayList<>();
        byCheckpoint.forEach((checkpoint, accepted) -> label(checkpoint, accepted, predictions, deadLetters));
        return new Outcome(predictions, deadLetters);
    }

    private void label(String checkpoint, List<Accepted> accepted, List<Prediction> predictions,
                       List<DeadLetter> deadLetters) {
        long started = System.nanoTime();
        Instant startedAt = Instant.now();
        List<TextClassifier.Prediction> labels;
        try {
            labels = labeler.label(checkpoint, accepted.stream().map(Accepted::text).toList());
        } catch (RuntimeException e) {
            for (Accepted a : accepted) {
                deadLetters.add(DeadLetter.of(SERVICE, a.record().origin(), null, "inference-failed",
                        "checkpoint " + checkpoint + " of deployment " + a.deployment().name() + ": "
                                + e.getClass().getSimpleName() + ": " + e.getMessage(), a.record().value()));
            }
            return;
        }
        long inferenceMs = (System.nanoTime() - started) / 1_000_000;
        Instant at = Instant.now();
        for (int i = 0; i < accepted.size(); i++) {
            Accepted a = accepted.get(i);
            TextClassifier.Prediction p = labels.get(i);
            long queuedMs = Math.max(0, startedAt.toEpochMilli() - a.record().timestamp());
            predictions.add(new Prediction(Prediction.VERSION, a.request().id(), a.deployment().name(), checkpoint,
                    p.label(), p.probabilities(), p.tokens(), p.truncated(),
                    new Prediction.Timings(queuedMs, inferenceMs, accepted.size()), at, servedBy));
        }
    }

    /** The batch's deployments by name, and the names looked up again in vain, each asked for once per batch. */
    private static final class Deployments {
        final Map<String, ServedDeployment> found = new HashMap<>();
        final Map<String, Optional<String>> missing = new HashMap<>();
    }

    private Accepted accept(Incoming record, Deployments byName) {
        if (record.value() == null || record.value().isBlank()) {
            throw new Refused("empty-request", "the record has no value");
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(record.value());
        } catch (IOException e) {
            throw new Refused("invalid-json", "not JSON: " + (e instanceof JsonProcessingException j
                    ? j.getOriginalMessage() : e.getMessage()));
        }
        if (!node.isObject()) {
            throw new Refused("not-an-object", "a request is a JSON object, not " + kind(node));
        }
        // Read field by field rather than bound: binding would turn {"text": 5} into "5" silently.
        InferenceRequest request = new InferenceRequest(string(node, "id"), string(node, "text"),
                string(node, "deployment"), object(node, "record"));
        if (request.id() == null || request.id().isBlank()) {
            throw new Refused("missing-id", "'id' must name the request, so its prediction can be found");
        }
        if (request.text() != null && request.record() != null) {
            throw new Refused("text-and-record", "request '" + request.id() + "' carries both a 'text' and a"
                    + " 'record': send one of them");
        }
        if (request.record() == null && (request.text() == null || request.text().isBlank())) {
            throw new Refused("missing-text", "request '" + request.id() + "' has no 'text' to classify, nor a"
                    + " 'record' to make it from");
        }
        String name = request.deployment() != null ? request.deployment() : defaultDeployment.orElseThrow(() ->
                new Refused("missing-deployment", "request '" + request.id() + "' names no 'deployment' and "
                        + "serving.default-deployment is not set"));
        ServedDeployment deployment = byName.found.get(name);
        if (deployment == null && latecomers != null && !byName.missing.containsKey(name)) {
            deployment = latecomers.catchUp(name).orElse(null);
            if (deployment != null) {
                byName.found.put(name, deployment);
            } else {
                byName.missing.put(name, latecomers.unavailable(name));
            }
        }
        if (deployment == null) {
            Optional<String> unavailable = byName.missing.getOrDefault(name, Optional.empty());
            if (unavailable.isPresent()) {
                throw new Refused("deployment-unavailable", "request '" + request.id() + "' names deployment '"
                        + name + "', which this serving replica cannot serve: " + unavailable.get());
            }
            throw new Refused("unknown-deployment", "request '" + request.id() + "' names deployment '" + name
                    + "', which does not exist");
        }
        return new Accepted(request, request.record() == null ? request.text() : text(request, deployment),
                deployment, record);
    }

    /** The request's record read through the deployment's text fields, as ingest reads a dataset's records. */
    private static String text(InferenceRequest request, ServedDeployment deployment) {
        if (deployment.textFields() == null) {
            throw new Refused("no-text-fields", "request '" + request.id() + "' carries a 'record', but deployment '"
                    + deployment.name() + "' was recorded before requests could and knows no text fields: point it"
                    + " at its checkpoint again (PUT /deployments/" + deployment.name() + "/checkpoint) to read them");
        }
        RecordText.Read read = RecordText.of(request.record(), deployment.textFields());
        if (read instanceof RecordText.Problem problem) {
            throw new Refused(problem.reason(), "request '" + request.id() + "': " + problem.detail() + " (the text"
                    + " fields of the dataset of checkpoint '" + deployment.checkpoint() + "', which deployment '"
                    + deployment.name() + "' serves)");
        }
        return ((RecordText.Text) read).text();
    }

    private static String string(JsonNode request, String field) {
        JsonNode value = request.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new Refused("wrong-type", "'" + field + "' must be a string, not " + kind(value));
        }
        return value.textValue();
    }

    private static ObjectNode object(JsonNode request, String field) {
        JsonNode value = request.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            throw new Refused("wrong-type", "'" + field + "' must be a JSON object, not " + kind(value));
        }
        return (ObjectNode) value;
    }

    private static String kind(JsonNode node) {
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Why a request cannot be answered: a stable reason code and a sentence. Control flow inside this class only. */
    private static final class Refused extends RuntimeException {
        final String reason;

        Refused(String reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }
    }
}

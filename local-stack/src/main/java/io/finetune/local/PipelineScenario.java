package io.finetune.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.finetune.contracts.EvaluationResult;
import io.finetune.contracts.Json;
import io.finetune.contracts.Topics;
import io.finetune.contracts.TrainingProgress;
import io.finetune.contracts.sample.SampleReviews;
import io.finetune.kafka.local.TopicTail;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The steps of a run as a user takes them: push labeled records (over REST and straight onto Kafka), seal the
 * dataset, wait until it is prepared, submit a training job, follow its progress, collect its final evaluation.
 * The demo prints what happens; the end-to-end test asserts on it.
 */
public final class PipelineScenario {
    private final LocalStack stack;
    private final PipelineClient client;

    public PipelineScenario(LocalStack stack) {
        this.stack = stack;
        this.client = new PipelineClient(stack);
    }

    public PipelineClient client() {
        return client;
    }

    /** One labelled record as a user pushes it; {@code split} null lets preprocess draw the record's split. */
    public record LabeledRecord(String id, String text, String label, String split) {
    }

    /** {@link #push(String, List, List, int, List)} for sample reviews (labels negative and positive, no split). */
    public JsonNode push(String dataset, List<SampleReviews.Review> reviews, int overRest, List<String> rawExtras) {
        return push(dataset, List.of("negative", "positive"), reviews.stream()
                .map(r -> new LabeledRecord(r.id(), r.text(), r.label(), null)).toList(), overRest, rawExtras);
    }

    /**
     * Creates the dataset with these labels, uploads the first {@code overRest} records as JSON Lines and pushes the
     * rest, plus any {@code rawExtras} (bad records, say), onto the raw topic keyed by dataset, as kcat would.
     *
     * @return the upload report of the REST part
     */
    public JsonNode push(String dataset, List<String> labels, List<LabeledRecord> records, int overRest,
                         List<String> rawExtras) {
        create(dataset, labels, Map.of());
        return append(dataset, records, overRest, rawExtras);
    }

    /** {@code POST /datasets}: the name, the labels and any other fields of the definition ({@code continuous}, ...). */
    public void create(String dataset, List<String> labels, Map<String, Object> definition) {
        Map<String, Object> body = new LinkedHashMap<>(definition);
        body.put("name", dataset);
        body.put("labels", labels);
        client.require(client.post("ingest-service", "/datasets", "application/json", Json.write(body)), 201);
    }

    /**
     * Uploads the first {@code overRest} records as JSON Lines and pushes the rest, plus any {@code rawExtras}, onto
     * the raw topic keyed by dataset, as kcat would.
     *
     * @return the upload report of the REST part
     */
    public JsonNode append(String dataset, List<LabeledRecord> records, int overRest, List<String> rawExtras) {
        StringBuilder jsonl = new StringBuilder();
        for (LabeledRecord record : records.subList(0, overRest)) {
            jsonl.append(Json.write(fields(record, null))).append('\n');
        }
        JsonNode report = client.require(client.post("ingest-service", "/datasets/" + dataset + "/records",
                "application/x-ndjson", jsonl.toString()), 200);
        List<byte[]> values = new ArrayList<>();
        for (LabeledRecord record : records.subList(overRest, records.size())) {
            values.add(Json.write(fields(record, dataset)).getBytes(StandardCharsets.UTF_8));
        }
        rawExtras.forEach(extra -> values.add(extra.getBytes(StandardCharsets.UTF_8)));
        TopicTail.produce(stack.bootstrapServers(), Topics.RAW_RECORDS, Collections.nCopies(values.size(), dataset),
                values);
        return report;
    }

    /** A record's JSON fields; a raw-topic record names its dataset, an upload's dataset is in the URL. */
    private static Map<String, String> fields(LabeledRecord record, String dataset) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (dataset != null) {
            fields.put("dataset", dataset);
        }
        fields.put("id", record.id());
        fields.put("text", record.text());
        fields.put("label", record.label());
        if (record.split() != null) {
            fields.put("split", record.split());
        }
        return fields;
    }

    /**
     * Seals the dataset once ingest has seen all {@code expectedRecords} (accepted plus rejected): records still in
     * flight on the raw topic must not land after the end marker.
     */
    public JsonNode seal(String dataset, long expectedRecords, Map<String, Object> options) {
        client.await("ingest-service", "/datasets/" + dataset,
                s -> s.path("accepted").asLong() + s.path("rejected").asLong() >= expectedRecords,
                Duration.ofMinutes(2));
        return client.require(client.post("ingest-service", "/datasets/" + dataset + "/seal", "application/json",
                Json.write(options)), 200);
    }

    public JsonNode awaitPrepared(String dataset, Duration timeout) {
        JsonNode status = client.await("preprocess-service", "/datasets/" + dataset,
                s -> Set.of("READY", "FAILED").contains(s.path("state").asText()), timeout);
        if (!"READY".equals(status.path("state").asText())) {
            throw new IllegalStateException("preprocessing of " + dataset + " failed: " + status);
        }
        return status;
    }

    public String submit(String dataset, String baseModel, Map<String, Object> hyperparameters) {
        JsonNode job = client.require(client.post("trainer-service", "/jobs", "application/json",
                Json.write(Map.of("dataset", dataset, "baseModel", baseModel, "hyperparameters", hyperparameters))),
                202);
        return job.path("jobId").asText();
    }

    /**
     * The evaluator's {@code GET /compare?jobs=a,b}: each job's best checkpoint (its final one, the trainer's choice on
     * validation) with its settings and its validation and test figures.
     */
    public JsonNode compare(List<String> jobIds) {
        return client.require(client.get("evaluator-service", "/compare?jobs=" + String.join(",", jobIds)), 200);
    }

    /**
     * Follows the job's progress topic until the evaluation of its final checkpoint arrives; hands every progress
     * event to {@code onProgress}. Fails when the job fails or the timeout passes.
     */
    public EvaluationResult awaitFinalEvaluation(String jobId, Consumer<TrainingProgress> onProgress,
                                                 Duration timeout) {
        String finalCheckpoint = jobId + "-final";
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<String> seenProgress = new HashSet<>();
        try (TopicTail progress = new TopicTail(stack.bootstrapServers(), Topics.PROGRESS);
             TopicTail evaluations = new TopicTail(stack.bootstrapServers(), Topics.EVALUATIONS)) {
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : progress.poll(Duration.ofMillis(300))) {
                    String key = record.partition() + "@" + record.offset();
                    if (jobId.equals(record.key()) && seenProgress.add(key)) {
                        TrainingProgress event = Json.read(TopicTail.text(record), TrainingProgress.class);
                        onProgress.accept(event);
                        if (event.stage() == TrainingProgress.Stage.FAILED
                                || event.stage() == TrainingProgress.Stage.CANCELLED) {
                            throw new IllegalStateException("job " + jobId + " " + event.stage() + ": "
                                    + event.message());
                        }
                    }
                }
                for (ConsumerRecord<String, byte[]> record : evaluations.poll(Duration.ofMillis(100))) {
                    if (finalCheckpoint.equals(record.key())) {
                        return Json.read(TopicTail.text(record), EvaluationResult.class);
                    }
                }
            }
        }
        throw new IllegalStateException("no evaluation of " + finalCheckpoint + " within " + timeout.toSeconds()
                + " s; see the service logs in " + stack.stateDir().resolve("services"));
    }
}

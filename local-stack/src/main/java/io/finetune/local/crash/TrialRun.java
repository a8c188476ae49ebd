package io.finetune.local.crash;

import com.fasterxml.jackson.databind.JsonNode;
import io.finetune.contracts.DatasetShards;
import io.finetune.contracts.EvaluationResult;
import io.finetune.contracts.Hyperparameters;
import io.finetune.contracts.InferenceRequest;
import io.finetune.contracts.Json;
import io.finetune.contracts.Prediction;
import io.finetune.contracts.ShardReader;
import io.finetune.contracts.TokenizedExample;
import io.finetune.contracts.Topics;
import io.finetune.contracts.TrainingJob;
import io.finetune.contracts.TrainingProgress;
import io.finetune.contracts.sample.SampleReviews;
import io.finetune.kafka.local.TopicTail;
import io.finetune.local.LocalStack;
import io.finetune.local.PipelineClient;
import io.finetune.local.ServiceProcess;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One full run as a patient user makes it, riding through whatever a {@link FaultInjector} breaks meanwhile:
 * create the dataset, upload part of it over REST (again, whole, if the upload fails), push the rest onto the raw
 * topic, seal once ingest has seen everything, wait for the shards, submit the job on the jobs topic under a chosen
 * id (so a repeated submission is harmless), follow it to its final evaluation, read back what is in Kafka, ask the
 * final checkpoint about the test texts, then deploy it and send it those texts as inference requests.
 */
final class TrialRun {
    static final Map<String, Object> HYPERPARAMETERS = Map.of("learningRate", 5e-3, "epochs", 8, "batchSize", 16,
            "maxLength", 64, "saveStateEverySteps", 10);
    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(5);
    /** Texts per {@code POST /predict}: within the evaluator's default {@code evaluator.predict-max-texts} (64). */
    private static final int PREDICT_BATCH = 32;
    /** Each test text is sent to the deployment this many times, in rounds. */
    static final int SERVING_ROUNDS = 5;
    private static final long SERVING_ROUND_PAUSE_MS = 400;

    private final LocalStack stack;
    private final PipelineClient client;
    private final List<SampleReviews.Review> reviews;
    /** Each review's text by its id: what the serving path sends, and what the test examples are looked up by. */
    private final Map<String, String> textById = new HashMap<>();
    private final int overRest;

    TrialRun(LocalStack stack, List<SampleReviews.Review> reviews, int overRest) {
        this.stack = stack;
        this.client = new PipelineClient(stack);
        this.reviews = reviews;
        reviews.forEach(r -> textById.put(r.id(), r.text()));
        this.overRest = overRest;
    }

    RunOutcome run(String dataset, String jobId, Timeline timeline) {
        try {
            push(dataset);
            timeline.mark(Timeline.PUSHED);
            seal(dataset);
            timeline.mark(Timeline.SEALED);
            awaitPrepared(dataset);
            timeline.mark(Timeline.PREPARED);
            submit(dataset, jobId);
            timeline.mark(Timeline.SUBMITTED);
            return follow(dataset, jobId, timeline);
        } catch (RuntimeException e) {
            return RunOutcome.failed(jobId, e.getMessage(), timeline);
        }
    }

    private void push(String dataset) {
        Retry.until(STEP_TIMEOUT, "creating " + dataset, () -> client.require(client.post("ingest-service",
                "/datasets", "application/json", Json.write(Map.of("name", dataset,
                        "labels", List.of("negative", "positive")))), 201, 409));
        StringBuilder jsonl = new StringBuilder();
        for (SampleReviews.Review review : reviews.subList(0, overRest)) {
            jsonl.append(Json.write(Map.of("id", review.id(), "text", review.text(), "label", review.label())))
                    .append('\n');
        }
        Retry.until(STEP_TIMEOUT, "uploading to " + dataset, () -> client.require(client.post("ingest-service",
                "/datasets/" + dataset + "/records", "application/x-ndjson", jsonl.toString()), 200));
        List<byte[]> values = new ArrayList<>();
        for (SampleReviews.Review review : reviews.subList(overRest, reviews.size())) {
            values.add(Json.write(Map.of("dataset", dataset, "id", review.id(), "text", review.text(),
                    "label", review.label())).getBytes(StandardCharsets.UTF_8));
        }
        TopicTail.produce(stack.bootstrapServers(), Topics.RAW_RECORDS, Collections.nCopies(values.size(), dataset),
                values);
    }

    /**
     * Seals right after pushing, as a user does: the seal travels through the raw topic behind the records pushed
     * there before it, so it needs no waiting on counts (which a crash can make inexact). 202 means the marker is
     * on its way; 409 means an earlier attempt that seemed to fail had sealed it.
     */
    private void seal(String dataset) {
        Retry.until(STEP_TIMEOUT, "sealing " + dataset, () -> client.require(client.post("ingest-service",
                "/datasets/" + dataset + "/seal", "application/json", Json.write(Map.of("maxLength", 64))),
                200, 202, 409));
    }

    /**
     * Asks ingest, as a user does: its dataset status follows the shards topic, so it knows a prepared dataset
     * whichever preprocess replica prepared it (a preprocess replica's own status knows only its datasets).
     */
    private void awaitPrepared(String dataset) {
        JsonNode status = Retry.until(STEP_TIMEOUT, "preparing " + dataset, () -> client.await("ingest-service",
                "/datasets/" + dataset, s -> Set.of("PREPARED", "FAILED").contains(s.path("state").asText()),
                STEP_TIMEOUT));
        if (!"PREPARED".equals(status.path("state").asText())) {
            throw new IllegalStateException("preprocessing failed: " + status.path("failure").toString());
        }
    }

    private void submit(String dataset, String jobId) {
        Hyperparameters hyperparameters = Json.MAPPER.convertValue(HYPERPARAMETERS, Hyperparameters.class);
        TrainingJob job = new TrainingJob(TrainingJob.VERSION, jobId, dataset, "distilbert-tiny", hyperparameters,
                Instant.now());
        TopicTail.produce(stack.bootstrapServers(), Topics.TRAINING_JOBS, List.of(jobId),
                List.of(Json.write(job).getBytes(StandardCharsets.UTF_8)));
    }

    private RunOutcome follow(String dataset, String jobId, Timeline timeline) {
        String finalCheckpoint = jobId + "-final";
        Set<String> checkpoints = new LinkedHashSet<>();
        Map<String, List<EvaluationResult>> evaluations = new TreeMap<>();
        long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
        try (TopicTail progress = new TopicTail(stack.bootstrapServers(), Topics.PROGRESS);
             TopicTail results = new TopicTail(stack.bootstrapServers(), Topics.EVALUATIONS)) {
            // A tail's poll returns everything it has seen; only the records past those handled are new.
            int progressHandled = 0;
            int resultsHandled = 0;
            while (System.nanoTime() < deadline) {
                List<ConsumerRecord<String, byte[]>> progressSeen = progress.poll(Duration.ofMillis(100));
                for (ConsumerRecord<String, byte[]> record : progressSeen.subList(progressHandled,
                        progressSeen.size())) {
                    if (!jobId.equals(record.key())) {
                        continue;
                    }
                    TrainingProgress event = Json.read(TopicTail.text(record), TrainingProgress.class);
                    switch (event.stage()) {
                        case CHECKPOINT -> {
                            timeline.mark(Timeline.FIRST_CHECKPOINT);
                            if (finalCheckpoint.equals(event.checkpointId())) {
                                timeline.mark(Timeline.FINAL_CHECKPOINT);
                            }
                            checkpoints.add(event.checkpointId());
                        }
                        case STARTED -> timeline.mark(Timeline.TRAINING);
                        case COMPLETED -> timeline.mark(Timeline.TRAINED);
                        case FAILED, CANCELLED -> throw new IllegalStateException("job " + event.stage() + ": "
                                + event.message());
                        default -> {
                        }
                    }
                }
                progressHandled = progressSeen.size();
                List<ConsumerRecord<String, byte[]>> resultsSeen = results.poll(Duration.ofMillis(100));
                for (ConsumerRecord<String, byte[]> record : resultsSeen.subList(resultsHandled, resultsSeen.size())) {
                    EvaluationResult result = Json.read(TopicTail.text(record), EvaluationResult.class);
                    if (jobId.equals(result.jobId())) {
                        evaluations.computeIfAbsent(result.checkpointId(), k -> new ArrayList<>()).add(result);
                    }
                }
                resultsHandled = resultsSeen.size();
                if (evaluations.containsKey(finalCheckpoint)) {
                    timeline.mark(Timeline.EVALUATED);
                    // COMPLETED follows every CHECKPOINT on the one-partition progress topic: then the set is whole.
                    if (timeline.reached(Timeline.TRAINED) && evaluations.keySet().containsAll(checkpoints)) {
                        break;
                    }
                }
            }
        }
        if (!evaluations.containsKey(finalCheckpoint)) {
            throw new IllegalStateException("no evaluation of " + finalCheckpoint + " within 15 minutes");
        }
        JsonNode job = Retry.until(STEP_TIMEOUT, "reading job " + jobId, () -> readJob(jobId));
        java.util.regex.Matcher resumed = java.util.regex.Pattern.compile("resumed at step (\\d+)")
                .matcher(job.path("message").asText());
        String state = job.path("state").asText() + (resumed.find() ? " @" + resumed.group(1) : "");
        Map<String, String> examples = new HashMap<>();
        int repeated = readShards(dataset, examples);
        Map<String, RunOutcome.Answer> predictions = predictTest(finalCheckpoint, examples.keySet());
        Map<String, List<RunOutcome.Served>> served = serve(dataset, finalCheckpoint, predictions.keySet(),
                timeline);
        return new RunOutcome(jobId, examples, repeated, state, checkpoints, evaluations,
                evaluations.get(finalCheckpoint).get(0), predictions, served, null, timeline);
    }

    /**
     * The serving path, as an application uses it: deploys the final checkpoint under the run's name, puts each test
     * text on the requests topic {@value #SERVING_ROUNDS} times (in rounds, a moment apart, so that a fault can land
     * while requests flow) and reads the predictions topic until every request has its answer.
     */
    private Map<String, List<RunOutcome.Served>> serve(String deployment, String checkpoint, Set<String> exampleIds,
                                                       Timeline timeline) {
        Retry.until(STEP_TIMEOUT, "deploying " + checkpoint, () -> client.require(client.post("evaluator-service",
                "/deployments", "application/json", Json.write(Map.of("name", deployment, "checkpoint",
                        checkpoint))), 201, 409)); // 409: an earlier attempt that seemed to fail created it
        timeline.mark(Timeline.DEPLOYED);
        Set<String> requestIds = new LinkedHashSet<>();
        Map<String, List<RunOutcome.Served>> served = new TreeMap<>();
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        try (TopicTail predictions = new TopicTail(stack.bootstrapServers(), Topics.PREDICTIONS)) {
            for (int round = 1; round <= SERVING_ROUNDS; round++) {
                List<String> keys = new ArrayList<>();
                List<byte[]> values = new ArrayList<>();
                for (String example : exampleIds) {
                    String id = deployment + "-" + round + "/" + example;
                    requestIds.add(id);
                    keys.add(id);
                    values.add(Json.write(new InferenceRequest(id, textById.get(example), deployment))
                            .getBytes(StandardCharsets.UTF_8));
                }
                Retry.until(STEP_TIMEOUT, "sending inference requests", () -> {
                    TopicTail.produce(stack.bootstrapServers(), Topics.INFERENCE_REQUESTS, keys, values);
                    return null;
                });
                predictions.poll(Duration.ofMillis(SERVING_ROUND_PAUSE_MS));
            }
            int handled = 0;
            while (System.nanoTime() < deadline) {
                List<ConsumerRecord<String, byte[]>> seen = predictions.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, byte[]> record : seen.subList(handled, seen.size())) {
                    if (record.key() != null && requestIds.contains(record.key())) {
                        Prediction p = Json.read(TopicTail.text(record), Prediction.class);
                        served.computeIfAbsent(p.requestId(), k -> new ArrayList<>()).add(new RunOutcome.Served(
                                p.checkpoint(), new RunOutcome.Answer(p.label(), new TreeMap<>(p.probabilities())),
                                p.servedBy()));
                    }
                }
                handled = seen.size();
                if (served.keySet().containsAll(requestIds)) {
                    timeline.mark(Timeline.SERVED);
                    return served;
                }
            }
        }
        throw new IllegalStateException((requestIds.size() - served.size()) + " of " + requestIds.size()
                + " inference requests unanswered after " + STEP_TIMEOUT.toMinutes() + " minutes");
    }

    /**
     * Asks the final checkpoint over {@code POST /predict} to label the text of every test example, so the verdict
     * can compare each answer with the undisturbed run's, not only the aggregate metrics.
     */
    private Map<String, RunOutcome.Answer> predictTest(String checkpoint, Set<String> exampleKeys) {
        List<String> ids = exampleKeys.stream().filter(k -> k.startsWith("test/")).map(k -> k.substring(5))
                .sorted().toList();
        Map<String, RunOutcome.Answer> answers = new TreeMap<>();
        for (int from = 0; from < ids.size(); from += PREDICT_BATCH) {
            List<String> batch = ids.subList(from, Math.min(ids.size(), from + PREDICT_BATCH));
            List<String> texts = batch.stream().map(id -> {
                String text = textById.get(id);
                if (text == null) {
                    throw new IllegalStateException("test example " + id + " is none of the reviews sent");
                }
                return text;
            }).toList();
            JsonNode body = Retry.until(STEP_TIMEOUT, "predicting with " + checkpoint, () -> client.require(
                    client.post("evaluator-service", "/predict", "application/json",
                            Json.write(Map.of("checkpoint", checkpoint, "texts", texts))), 200));
            JsonNode predictions = body.path("predictions");
            for (int i = 0; i < batch.size(); i++) {
                JsonNode p = predictions.get(i);
                Map<String, Double> probabilities = new TreeMap<>();
                p.path("probabilities").fields().forEachRemaining(e -> probabilities.put(e.getKey(),
                        e.getValue().asDouble()));
                answers.put(batch.get(i), new RunOutcome.Answer(p.path("label").asText(), probabilities));
            }
        }
        return answers;
    }

    /** The job's status from the trainer replica that ran it (the others answer 404). */
    private JsonNode readJob(String jobId) {
        List<String> misses = new ArrayList<>();
        return TrainerReplicas.holding(stack, jobId, misses).map(TrainerReplicas.Holder::status)
                .orElseThrow(() -> new IllegalStateException("no trainer replica knows job " + jobId + " " + misses));
    }

    /** Fills {@code examples} with every shard example of the dataset; returns how many ids came twice. */
    private int readShards(String dataset, Map<String, String> examples) {
        DatasetShards shards = new ShardReader(Map.of("bootstrap.servers", stack.bootstrapServers())).read(dataset)
                .orElseThrow(() -> new IllegalStateException("no shards for " + dataset));
        int repeated = 0;
        Set<String> ids = new java.util.HashSet<>();
        for (Map.Entry<String, List<TokenizedExample>> split : shards.splits().entrySet()) {
            for (TokenizedExample example : split.getValue()) {
                if (!ids.add(example.id())) {
                    repeated++;
                }
                examples.put(split.getKey() + "/" + example.id(),
                        example.label() + ":" + Arrays.toString(example.inputIds()));
            }
        }
        return repeated;
    }
}

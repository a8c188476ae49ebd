package io.finetune.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.finetune.contracts.DeadLetter;
import io.finetune.contracts.EvaluationResult;
import io.finetune.contracts.InferenceRequest;
import io.finetune.contracts.Json;
import io.finetune.contracts.Prediction;
import io.finetune.contracts.Topics;
import io.finetune.contracts.TrainingProgress;
import io.finetune.contracts.sample.SampleReviews;
import io.finetune.kafka.local.TopicTail;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end over a real broker and the four packaged services, each its own process: labeled records in over
 * REST and over Kafka, bad ones dead-lettered with their reasons while the good ones flow on to shards, training
 * and an evaluation well above chance.
 */
class PipelineIT {
    private static final String DATASET = "e2e-reviews";
    private static LocalStack stack;

    @BeforeAll
    static void startStack() {
        Path root = Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();
        stack = LocalStack.start(root, root.resolve("local-stack/target/e2e-stack"), 0, 0);
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void labeledRecordsBecomeAnEvaluatedModelAndBadRecordsBecomeDeadLetters() {
        PipelineScenario scenario = new PipelineScenario(stack);
        List<SampleReviews.Review> reviews = SampleReviews.generate(1200, 3);
        List<String> bad = List.of(
                "this is not json",
                "{\"dataset\":\"" + DATASET + "\",\"label\":\"positive\"}",
                "{\"dataset\":\"" + DATASET + "\",\"text\":\"a review without its label\"}",
                "{\"dataset\":\"" + DATASET + "\",\"text\":\"a review\",\"label\":\"lukewarm\"}");
        JsonNode restReport = scenario.push(DATASET, reviews, 800, bad);
        assertThat(restReport.path("accepted").asLong()).isEqualTo(800);

        JsonNode sealed = scenario.seal(DATASET, reviews.size() + bad.size(), Map.of("maxLength", 64));
        assertThat(sealed.path("accepted").asLong()).isEqualTo(reviews.size());
        assertThat(sealed.path("rejected").asLong()).isEqualTo(bad.size());

        JsonNode prepared = scenario.awaitPrepared(DATASET, Duration.ofMinutes(3));
        assertThat(prepared.path("state").asText()).isEqualTo("READY");

        String jobId = scenario.submit(DATASET, "distilbert-tiny",
                Map.of("learningRate", 5e-3, "epochs", 5, "batchSize", 16, "maxLength", 64));
        List<TrainingProgress> progress = new ArrayList<>();
        EvaluationResult evaluation = scenario.awaitFinalEvaluation(jobId, progress::add, Duration.ofMinutes(10));

        assertThat(progress).extracting(TrainingProgress::stage).contains(TrainingProgress.Stage.STEP,
                TrainingProgress.Stage.EPOCH, TrainingProgress.Stage.CHECKPOINT);
        assertThat(evaluation.split()).isEqualTo("test");
        assertThat(evaluation.examples()).isGreaterThan(30);
        assertThat(evaluation.accuracy()).as("accuracy on the held-out test split").isGreaterThan(0.85);
        assertThat(evaluation.labels()).containsExactly("negative", "positive");
        assertThat(evaluation.perClass()).allSatisfy(c -> assertThat(c.f1()).isGreaterThan(0.8));

        try (TopicTail dead = new TopicTail(stack.bootstrapServers(), Topics.DEAD_LETTERS)) {
            List<DeadLetter> letters = dead.poll(Duration.ofSeconds(3)).stream()
                    .map(r -> Json.read(TopicTail.text(r), DeadLetter.class)).toList();
            assertThat(letters).extracting(DeadLetter::reason)
                    .contains("invalid-json", "missing-text", "missing-label", "unknown-label");
            assertThat(letters).allSatisfy(letter -> {
                assertThat(letter.origin()).startsWith("kafka:" + Topics.RAW_RECORDS);
                assertThat(letter.payload()).isNotBlank();
            });
        }
    }

    /**
     * The loop of issue 17 on the packaged services. A first model, trained on version 1 of a continuous dataset, is
     * deployed with a promotion policy and retraining on newer builds, and requests flow from then on. Version 2
     * arrives; the deployment retrains its champion on it, warm-started; a checkpoint of that job wins on the
     * promotion holdout and is promoted, and the predictions switch to it. The evaluator, which serves, is SIGKILLed
     * while requests flow and started again: every request still gets its answer, and where it got two (a batch
     * answered again after the kill) both are the same, so a reader keeping one per request id sees one.
     */
    @Test
    void newDataRetrainsTheDeployedModelWhichWinsAndServesWhileRequestsFlowAcrossASigkill() throws Exception {
        String dataset = "e2e-live";
        String deployment = "e2e-live";
        PipelineScenario scenario = new PipelineScenario(stack);
        PipelineClient client = scenario.client();
        List<PipelineScenario.LabeledRecord> records = SampleReviews.generate(900, 11).stream()
                .map(r -> new PipelineScenario.LabeledRecord(r.id(), r.text(), r.label(), null)).toList();
        List<PipelineScenario.LabeledRecord> first = records.subList(0, 200);
        List<PipelineScenario.LabeledRecord> later = records.subList(200, records.size());
        Map<String, Object> options = Map.of("maxLength", 64, "holdoutFraction", 0.2);

        scenario.create(dataset, List.of("negative", "positive"), Map.of("continuous", true));
        scenario.append(dataset, first, first.size(), List.of());
        scenario.seal(dataset, first.size(), options);
        scenario.awaitPrepared(dataset, Duration.ofMinutes(3));
        // Three epochs on 200 records: a model with room to improve, which its retraining on 900 (same settings,
        // from its weights) has every reason to beat.
        String jobId = scenario.submit(dataset, "distilbert-tiny",
                Map.of("learningRate", 5e-3, "epochs", 3, "batchSize", 16, "maxLength", 64));
        scenario.awaitFinalEvaluation(jobId, p -> { }, Duration.ofMinutes(10));
        String champion = jobId + "-final";

        try (ServingScenario serving = new ServingScenario(stack);
             RequestStream requests = new RequestStream(serving, deployment, records)) {
            serving.deploy(deployment, champion);
            client.require(client.put("evaluator-service", "/deployments/" + deployment + "/policy",
                    "application/json", Json.write(Map.of("metric", "log_loss"))), 200);
            client.require(client.put("evaluator-service", "/deployments/" + deployment + "/retraining",
                    "application/json", Json.write(Map.of("trigger", "new-build"))), 200);
            requests.start();

            scenario.append(dataset, later, later.size() / 2, List.of());
            scenario.seal(dataset, records.size(), options);
            // Every checkpoint of the retraining job is judged; its final one comes last.
            JsonNode history = client.await("evaluator-service", "/deployments/" + deployment + "/history",
                    h -> h.findValuesAsText("challenger").stream().anyMatch(c -> c.endsWith("-final")),
                    Duration.ofMinutes(15));
            assertThat(history.findValuesAsText("outcome")).as(history.toString()).contains("promoted");
            JsonNode promoted = client.require(client.get("evaluator-service", "/deployments/" + deployment), 200);
            String challenger = promoted.path("checkpoint").asText();
            String retrainJob = promoted.path("retraining").path("lastJob").asText();
            assertThat(retrainJob).startsWith("retrain-" + deployment + "-");
            assertThat(challenger).startsWith(retrainJob + "-");
            int sentBeforeSwap = requests.sent();

            ServiceProcess evaluator = stack.service("evaluator-service");
            requests.awaitMore(20);
            evaluator.kill();
            requests.awaitMore(20); // requests keep coming while nothing serves
            evaluator.start().awaitReady(Duration.ofMinutes(2));
            requests.awaitMore(20);
            requests.close();

            Map<String, List<Prediction>> answers = serving.awaitEveryAnswer(requests.ids(), Duration.ofMinutes(3));
            assertThat(answers.keySet()).containsExactlyInAnyOrderElementsOf(requests.ids());
            // Read committed, as an application relying on serving's transactions reads: one answer per request.
            answers.forEach((id, repeats) -> assertThat(repeats).as("the answers to " + id).hasSize(1));
            List<String> order = requests.ids();
            assertThat(answers.get(order.get(0)).get(0).checkpoint()).isEqualTo(champion);
            // Sent once the swap was on record (the one in flight when it was read may be older): the new model's.
            assertThat(order.subList(sentBeforeSwap + 1, order.size())).allSatisfy(id ->
                    assertThat(answers.get(id).get(0).checkpoint()).as(id).startsWith(retrainJob + "-"));
        }
    }

    /** Inference requests for a deployment, one every 100 ms on a thread of their own, texts taken in turn. */
    private static final class RequestStream implements AutoCloseable {
        private final ServingScenario serving;
        private final String deployment;
        private final List<PipelineScenario.LabeledRecord> texts;
        private final List<String> ids = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final Thread thread = new Thread(this::run, "requests");
        private volatile boolean running = true;
        private volatile RuntimeException failure;

        RequestStream(ServingScenario serving, String deployment, List<PipelineScenario.LabeledRecord> texts) {
            this.serving = serving;
            this.deployment = deployment;
            this.texts = texts;
        }

        void start() {
            thread.start();
        }

        private void run() {
            try {
                for (int n = 0; running; n++) {
                    String id = deployment + "-request-" + n;
                    serving.request(new InferenceRequest(id, texts.get(n % texts.size()).text(), deployment));
                    ids.add(id);
                    Thread.sleep(100);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                failure = e;
            }
        }

        int sent() {
            return ids.size();
        }

        List<String> ids() {
            return List.copyOf(ids);
        }

        /** Waits until {@code count} more requests were sent. */
        void awaitMore(int count) throws InterruptedException {
            int target = ids.size() + count;
            while (ids.size() < target && failure == null) {
                Thread.sleep(50);
            }
            if (failure != null) {
                throw failure;
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(10_000);
        }
    }
}

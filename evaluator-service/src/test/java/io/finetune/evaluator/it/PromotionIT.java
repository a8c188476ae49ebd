package io.finetune.evaluator.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.finetune.contracts.CheckpointChunk;
import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.CleaningReport;
import io.finetune.contracts.Hyperparameters;
import io.finetune.contracts.Json;
import io.finetune.contracts.ModelArchive;
import io.finetune.contracts.PromotionDecision;
import io.finetune.contracts.Shard;
import io.finetune.contracts.ShardCodec;
import io.finetune.contracts.ShardManifest;
import io.finetune.contracts.TokenizedExample;
import io.finetune.contracts.Topics;
import io.finetune.contracts.TrainingJob;
import io.finetune.distilbert.BundledModels;
import io.finetune.distilbert.Devices;
import io.finetune.distilbert.EncoderClassifier;
import io.finetune.distilbert.Predictor;
import io.finetune.kafka.local.LocalKafkaResource;
import io.finetune.kafka.local.TopicTail;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

/**
 * Champion against challenger, and the retraining that makes challengers, over a real broker. A dataset with a promotion holdout is published on the shards
 * topic; the bundled tiny model is the champion. Its holdout labels are chosen so that the champion gets a quarter
 * right; a challenger whose classifier rows are swapped (every prediction the other class) then gets three quarters
 * right and is promoted, and a third checkpoint, the champion's weights again, loses and stays a challenger. Both
 * verdicts appear in the history over REST and on the promotions topic. A deployment that retrains on newer builds
 * puts one job on the jobs topic for a newer build of its dataset, with the champion's settings.
 */
@QuarkusTest
@WithTestResource(LocalKafkaResource.class)
class PromotionIT {
    private static final List<String> LABELS = List.of("NEGATIVE", "POSITIVE");
    private static final int MAX_LENGTH = 64;
    private static final int HOLDOUT = 8;
    private static final Duration WAIT = Duration.ofSeconds(120);

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String dataset = "promotion-" + run;
    private final String build = "build-" + run;
    private final String champion = "job-a-" + run + "-epoch-1";
    private final String better = "job-b-" + run + "-epoch-1";
    private final String worse = "job-c-" + run + "-epoch-1";
    private final String name = "spam-" + run;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @TempDir
    Path tmp;

    @Test
    void aBetterChallengerIsPromotedAndAWorseOneStaysAChallenger() throws Exception {
        Path model = BundledModels.extract(BundledModels.DEMO_MODEL, tmp.resolve("tiny-model"));
        publishDataset(model);
        publish(checkpoint(champion, model, false));
        awaitEvaluation(champion);

        RestAssured.given().contentType(ContentType.JSON).body(Map.of("name", name, "checkpoint", champion))
                .post("/deployments").then().statusCode(201);
        problem(RestAssured.given().contentType(ContentType.JSON).body(Map.of("metric", "loss"))
                .put("/deployments/" + name + "/policy"), 400).body("detail", containsString("'loss' is not one of"));
        problem(RestAssured.given().contentType(ContentType.JSON).body(Map.of("metric", "accuracy",
                "evaluationSet", "test")).put("/deployments/" + name + "/policy"), 400);
        RestAssured.given().contentType(ContentType.JSON).body(Map.of("metric", "accuracy", "minImprovement", 0.1))
                .put("/deployments/" + name + "/policy").then().statusCode(200)
                .body("policy.metric", equalTo("accuracy")).body("policy.evaluationSet", equalTo("holdout"));
        assertThat(history()).isEmpty();

        publish(checkpoint(better, model, true));
        awaitHistory(1);
        // The verdict is recorded first (a retry carries it out), the deployment re-pointed just after: await it.
        await().atMost(WAIT).untilAsserted(() -> RestAssured.get("/deployments/" + name).then().statusCode(200)
                .body("checkpoint", equalTo(better)).body("previous", equalTo(champion)));
        PromotionDecision won = history().get(0);
        assertThat(won.outcome()).isEqualTo(PromotionDecision.PROMOTED);
        assertThat(won.champion()).isEqualTo(champion);
        assertThat(won.challenger()).isEqualTo(better);
        assertThat(won.championScore()).isCloseTo(0.25, within(1e-9));
        assertThat(won.challengerScore()).isCloseTo(0.75, within(1e-9));
        assertThat(won.evaluationSet()).isEqualTo(new PromotionDecision.EvaluationSet(dataset, build, "holdout",
                HOLDOUT));
        // The evaluation itself, the reported figures, stays on the test split.
        RestAssured.get("/evaluations/" + better).then().statusCode(200).body("split", equalTo("test"))
                .body("examples", equalTo(2));

        publish(checkpoint(worse, model, false));
        awaitHistory(2);
        PromotionDecision lost = history().get(1);
        assertThat(lost.outcome()).isEqualTo(PromotionDecision.KEPT);
        assertThat(lost.champion()).isEqualTo(better);
        assertThat(lost.challengerScore()).isCloseTo(0.25, within(1e-9));
        assertThat(lost.championScore()).isCloseTo(0.75, within(1e-9));
        assertThat(lost.reason()).startsWith("worse: accuracy 0.2500 against the champion's 0.7500");
        RestAssured.get("/deployments/" + name).then().statusCode(200)
                .body("checkpoint", equalTo(better)).body("previous", equalTo(champion));

        List<PromotionDecision> events = events(e -> e.challenger().equals(worse));
        assertThat(events).extracting(PromotionDecision::challenger).containsExactly(better, worse);
        assertThat(events).extracting(PromotionDecision::outcome).containsExactly(PromotionDecision.PROMOTED,
                PromotionDecision.KEPT);
        assertThat(events.get(0)).isEqualTo(won);

        // A rollback takes the promotion back; the policy stays, and the history keeps what happened.
        RestAssured.given().post("/deployments/" + name + "/rollback").then().statusCode(200)
                .body("checkpoint", equalTo(champion)).body("policy.metric", equalTo("accuracy"));
        assertThat(history()).hasSize(2);
        problem(RestAssured.get("/deployments/nobody-" + run + "/history"), 404);
    }

    @Test
    void aPolicyIsRefusedWhereTheDatasetHasNoHoldoutAndSaysHowToGetOne() throws Exception {
        Path model = BundledModels.extract(BundledModels.DEMO_MODEL, tmp.resolve("tiny-model"));
        String plain = "plain-" + run;
        String checkpoint = "job-plain-" + run + "-epoch-1";
        ShardManifest manifest = new ShardManifest(ShardManifest.VERSION, plain, build, LABELS, Map.of("test", 1),
                Map.of("test", Map.of("NEGATIVE", 1, "POSITIVE", 1)), "distilbert-tiny", "distilbert-tiny",
                MAX_LENGTH, "test-config", new CleaningReport(List.of(), 0, 0, 0, Map.of(), Map.of()));
        publishShards(plain, List.of(new Shard(plain, build, "test", 0, List.of(
                new TokenizedExample("t0", 0, new int[]{2, 10, 3}), new TokenizedExample("t1", 1,
                        new int[]{2, 11, 12, 3})))), manifest);
        publish(checkpoint(checkpoint, plain, model, false));
        awaitEvaluation(checkpoint);
        String deployment = "plain-" + run;
        RestAssured.given().contentType(ContentType.JSON).body(Map.of("name", deployment, "checkpoint", checkpoint))
                .post("/deployments").then().statusCode(201);
        problem(RestAssured.given().contentType(ContentType.JSON).body(Map.of("metric", "macro_f1"))
                .put("/deployments/" + deployment + "/policy"), 422)
                .body("detail", containsString("has no promotion holdout"))
                .body("detail", containsString("holdoutFraction"));
        RestAssured.get("/deployments/" + deployment).then().statusCode(200).body("policy", nullValue());
    }

    @Test
    void aNewerBuildRetrainsTheChampionWithItsSettingsOnceAndARequestRetrainsNow() throws Exception {
        Path model = BundledModels.extract(BundledModels.DEMO_MODEL, tmp.resolve("tiny-model"));
        Hyperparameters settings = Json.read("{\"learningRate\": 0.00003, \"epochs\": 2, \"freezeLayers\": 1}",
                Hyperparameters.class);
        publishDataset(model);
        String trained = "job-r-" + run + "-epoch-1";
        publish(checkpoint(trained, dataset, model, false, "distilbert-tiny", settings));
        awaitEvaluation(trained);
        String deployment = "retrain-" + run;
        RestAssured.given().contentType(ContentType.JSON).body(Map.of("name", deployment, "checkpoint", trained))
                .post("/deployments").then().statusCode(201);
        problem(RestAssured.given().contentType(ContentType.JSON).body(Map.of("trigger", "nightly"))
                .put("/deployments/" + deployment + "/retraining"), 400)
                .body("detail", containsString("'nightly' is not one of on-request, new-build"));
        problem(RestAssured.given().contentType(ContentType.JSON).body(Map.of("trigger", "new-build"))
                .put("/deployments/nobody-" + run + "/retraining"), 404);
        RestAssured.given().contentType(ContentType.JSON).body(Map.of("trigger", "new-build"))
                .put("/deployments/" + deployment + "/retraining").then().statusCode(200)
                .body("retraining.trigger", equalTo("new-build")).body("retraining.warmStart", equalTo("champion"))
                .body("retraining.lastJob", nullValue());

        // A second build of the dataset (its next version): one job, from the champion, with its settings.
        String newer = "next-" + run;
        ShardManifest manifest = new ShardManifest(ShardManifest.VERSION, dataset, newer, LABELS, Map.of("test", 1),
                Map.of("test", Map.of("NEGATIVE", 1, "POSITIVE", 1)), "distilbert-tiny", "distilbert-tiny",
                MAX_LENGTH, "test-config", new CleaningReport(List.of(), 0, 0, 0, Map.of(), Map.of()));
        publishShards(dataset, List.of(new Shard(dataset, newer, "test", 0, List.of(
                new TokenizedExample("t0", 0, new int[]{2, 10, 3}), new TokenizedExample("t1", 1,
                        new int[]{2, 11, 12, 3})))), manifest);
        String expectedId = "retrain-" + deployment + "-" + newer;
        List<TrainingJob> jobs = jobs(deployment, expectedId);
        assertThat(jobs).hasSize(1);
        TrainingJob job = jobs.get(0);
        assertThat(job.jobId()).isEqualTo(expectedId);
        assertThat(job.dataset()).isEqualTo(dataset);
        assertThat(job.baseModel()).isEqualTo(TrainingJob.CHECKPOINT + trained);
        assertThat(job.hyperparameters()).isEqualTo(settings);
        assertThat(job.build()).as("trains on the build that triggered it, whatever comes after").isEqualTo(newer);
        RestAssured.get("/deployments/" + deployment).then().statusCode(200)
                .body("retraining.lastBuild", equalTo(newer)).body("retraining.lastJob", equalTo(expectedId));

        // Asked for: now, from the base model the champion's line began with.
        String asked = RestAssured.given().contentType(ContentType.JSON).body(Map.of("warmStart", "base"))
                .post("/deployments/" + deployment + "/retrain").then().statusCode(202)
                .body("baseModel", equalTo("distilbert-tiny")).body("dataset", equalTo(dataset))
                .extract().path("jobId");
        assertThat(jobs(deployment, asked)).extracting(TrainingJob::jobId, TrainingJob::build)
                .as("asked for, the job leaves the build to the trainer: the newest when it starts")
                .containsExactly(tuple(expectedId, newer), tuple(asked, null));
        problem(RestAssured.given().contentType(ContentType.JSON).body(Map.of("warmStart", "scratch"))
                .post("/deployments/" + deployment + "/retrain"), 400);
        problem(RestAssured.given().contentType(ContentType.JSON).body("{warmStart")
                .post("/deployments/" + deployment + "/retrain"), 400);
        problem(RestAssured.given().post("/deployments/nobody-" + run + "/retrain"), 404);

        // A champion warm-started from a checkpoint this evaluator never saw: its line's base is unknown.
        String orphan = "job-o-" + run + "-epoch-1";
        publish(checkpoint(orphan, dataset, model, false, TrainingJob.CHECKPOINT + "gone-" + run, settings));
        awaitEvaluation(orphan);
        RestAssured.given().contentType(ContentType.JSON).body(Map.of("checkpoint", orphan))
                .put("/deployments/" + deployment + "/checkpoint").then().statusCode(200);
        problem(RestAssured.given().contentType(ContentType.JSON).body(Map.of("warmStart", "base"))
                .post("/deployments/" + deployment + "/retrain"), 422)
                .body("detail", containsString("'gone-" + run + "', which this evaluator has no evaluation of"));
    }

    /** The jobs on the jobs topic for the deployment, oldest first, once the one named {@code last} is there. */
    private List<TrainingJob> jobs(String deployment, String last) {
        try (TopicTail tail = new TopicTail(bootstrap, Topics.TRAINING_JOBS)) {
            Predicate<ConsumerRecord<String, byte[]>> ours = r -> r.key() != null
                    && r.key().startsWith("retrain-" + deployment + "-");
            tail.pollUntil(r -> last.equals(r.key()), WAIT);
            // And whatever comes soon after: a second job for the same build would be sent within a second or two.
            return tail.poll(Duration.ofSeconds(3)).stream().filter(ours).map(r -> Json.read(TopicTail.text(r), TrainingJob.class)).toList();
        }
    }

    /** test: 2 examples, holdout: 8, labelled so that the tiny model gets exactly 2 of the holdout right. */
    private void publishDataset(Path model) throws Exception {
        List<TokenizedExample> test = List.of(new TokenizedExample("t0", 0, new int[]{2, 10, 3}),
                new TokenizedExample("t1", 1, new int[]{2, 11, 12, 3}));
        List<int[]> holdoutIds = new ArrayList<>();
        for (int i = 0; i < HOLDOUT; i++) {
            holdoutIds.add(new int[]{2, 20 + i, 40 + 3 * i, 3});
        }
        float[][] p;
        try (EncoderClassifier classifier = EncoderClassifier.load(model, null, Devices.best())) {
            p = Predictor.probabilities(classifier, holdoutIds, 8);
        }
        List<TokenizedExample> holdout = new ArrayList<>();
        Map<String, Integer> perLabel = new LinkedHashMap<>(Map.of("NEGATIVE", 0, "POSITIVE", 0));
        for (int i = 0; i < HOLDOUT; i++) {
            int predicted = p[i][1] > p[i][0] ? 1 : 0;
            int label = i < HOLDOUT / 4 ? predicted : 1 - predicted; // right on a quarter
            holdout.add(new TokenizedExample("h" + i, label, holdoutIds.get(i)));
            perLabel.merge(LABELS.get(label), 1, Integer::sum);
        }
        Map<String, Map<String, Integer>> counts = new LinkedHashMap<>();
        counts.put("test", Map.of("NEGATIVE", 1, "POSITIVE", 1));
        counts.put("holdout", perLabel);
        ShardManifest manifest = new ShardManifest(ShardManifest.VERSION, dataset, build, LABELS,
                Map.of("test", 1, "holdout", 1), counts, "distilbert-tiny", "distilbert-tiny", MAX_LENGTH,
                "test-config", new CleaningReport(List.of(), 0, 0, 0, Map.of(), Map.of()));
        publishShards(dataset, List.of(new Shard(dataset, build, "test", 0, test),
                new Shard(dataset, build, "holdout", 0, holdout)), manifest);
    }

    private void publishShards(String dataset, List<Shard> shards, ShardManifest manifest) throws Exception {
        TopicTail.produce(bootstrap, Topics.SHARDS, shards.stream().map(s -> dataset).toList(),
                shards.stream().map(ShardCodec::encode).toList());
        try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", bootstrap, "acks", "all"),
                new StringSerializer(), new ByteArraySerializer())) {
            var record = new ProducerRecord<>(Topics.SHARDS, dataset, Json.write(manifest)
                    .getBytes(StandardCharsets.UTF_8));
            record.headers().add(Topics.HEADER_TYPE, ShardManifest.RECORD_TYPE.getBytes(StandardCharsets.UTF_8));
            producer.send(record).get();
        }
    }

    private List<CheckpointChunk> checkpoint(String checkpoint, Path model, boolean swapClasses) throws IOException {
        return checkpoint(checkpoint, dataset, model, swapClasses);
    }

    private List<CheckpointChunk> checkpoint(String checkpoint, String dataset, Path model, boolean swapClasses)
            throws IOException {
        return checkpoint(checkpoint, dataset, model, swapClasses, "distilbert-tiny", null);
    }

    private List<CheckpointChunk> checkpoint(String checkpoint, String dataset, Path model, boolean swapClasses,
                                             String baseModel, Hyperparameters settings) throws IOException {
        String job = checkpoint.substring(0, checkpoint.length() - "-epoch-1".length());
        CheckpointInfo info = new CheckpointInfo(CheckpointInfo.VERSION, job, checkpoint, dataset, build,
                baseModel, 1, 5, true, 0.5, 0.6, 0.7, settings, List.of());
        Path dir = tmp.resolve(checkpoint);
        Files.createDirectories(dir);
        try (var files = Files.list(model)) {
            for (Path file : files.toList()) {
                Files.copy(file, dir.resolve(file.getFileName()));
            }
        }
        if (swapClasses) {
            swapClassifierRows(dir.resolve("model.safetensors"));
        }
        Files.writeString(dir.resolve(CheckpointInfo.FILE_NAME), Json.write(info));
        return CheckpointChunk.split(checkpoint, job, ModelArchive.zip(dir));
    }

    /**
     * Swaps the two rows of the classification head (weight and bias): every logit pair is exchanged, so the model
     * predicts the other class wherever the original predicted one. Real weights, edited in the safetensors file.
     */
    private static void swapClassifierRows(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode header = Json.MAPPER.readTree(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8));
        int base = 8 + (int) headerLength;
        for (String tensor : List.of("classifier.weight", "classifier.bias")) {
            JsonNode entry = header.get(tensor);
            assertThat(entry.get("dtype").asText()).isEqualTo("F32");
            assertThat(entry.get("shape").get(0).asInt()).isEqualTo(2);
            int from = base + entry.get("data_offsets").get(0).asInt();
            int to = base + entry.get("data_offsets").get(1).asInt();
            int row = (to - from) / 2;
            byte[] first = java.util.Arrays.copyOfRange(bytes, from, from + row);
            System.arraycopy(bytes, from + row, bytes, from, row);
            System.arraycopy(first, 0, bytes, from + row, row);
        }
        Files.write(file, bytes);
    }

    private void publish(List<CheckpointChunk> chunks) {
        TopicTail.produce(bootstrap, Topics.CHECKPOINTS, chunks.stream().map(CheckpointChunk::checkpointId).toList(),
                chunks.stream().map(CheckpointChunk::encode).toList());
    }

    private static void awaitEvaluation(String checkpoint) {
        await().atMost(WAIT).until(() -> RestAssured.get("/evaluations/" + checkpoint).statusCode() == 200);
    }

    private List<PromotionDecision> history() {
        return List.of(RestAssured.get("/deployments/" + name + "/history").then().statusCode(200).extract()
                .as(PromotionDecision[].class));
    }

    private void awaitHistory(int decisions) {
        await().atMost(WAIT).until(() -> history().size() >= decisions);
    }

    private List<PromotionDecision> events(Predicate<PromotionDecision> last) {
        try (TopicTail tail = new TopicTail(bootstrap, Topics.PROMOTIONS)) {
            Predicate<ConsumerRecord<String, byte[]>> ours = r -> name.equals(r.key())
                    && last.test(Json.read(TopicTail.text(r), PromotionDecision.class));
            return tail.pollUntil(ours, WAIT).stream().filter(r -> name.equals(r.key()))
                    .map(r -> Json.read(TopicTail.text(r), PromotionDecision.class)).toList();
        }
    }

    private static io.restassured.response.ValidatableResponse problem(io.restassured.response.Response response,
                                                                       int status) {
        return response.then().statusCode(status).contentType(containsString("application/problem+json"))
                .body("status", equalTo(status));
    }
}

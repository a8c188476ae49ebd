package io.finetune.evaluator.it;

import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.finetune.contracts.CheckpointChunk;
import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.CleaningReport;
import io.finetune.contracts.DatasetDefined;
import io.finetune.contracts.DeadLetter;
import io.finetune.contracts.DeploymentState;
import io.finetune.contracts.Json;
import io.finetune.contracts.ModelArchive;
import io.finetune.contracts.Prediction;
import io.finetune.contracts.RecordOrigin;
import io.finetune.contracts.Shard;
import io.finetune.contracts.ShardCodec;
import io.finetune.contracts.ShardManifest;
import io.finetune.contracts.TokenizedExample;
import io.finetune.contracts.Topics;
import io.finetune.distilbert.BundledModels;
import io.finetune.distilbert.Devices;
import io.finetune.distilbert.EncoderClassifier;
import io.finetune.distilbert.Predictor;
import io.finetune.distilbert.TextTokenizer;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;

/**
 * Serving against a real broker: two checkpoints of the bundled tiny model are evaluated the way the trainer's would
 * be, a deployment is created on one over REST, and requests pushed onto the requests topic as a kcat user would are
 * answered on the predictions topic, once each, naming the checkpoint that the deployment served at the time. Their
 * dataset is defined on ingest's registry as e-mails are, its text in {@code Subject} and {@code Body}, so a request
 * may carry such a raw record instead of a text.
 */
@QuarkusTest
@WithTestResource(LocalKafkaResource.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServingIT {
    private static final List<String> LABELS = List.of("NEGATIVE", "POSITIVE");
    private static final int MAX_LENGTH = 64;
    private static final Duration WAIT = Duration.ofSeconds(90);

    /** Fresh names per run: the evaluator's records of evaluations and deployments outlive a run in target/. */
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String dataset = "serving-" + run;
    private final String build = "build-" + run;
    private final String job = "job-serving-" + run;
    private final String first = job + "-epoch-1";
    private final String second = job + "-epoch-2";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @TempDir
    static Path tmp;

    private Path model;

    @BeforeAll
    void publishTwoCheckpoints() throws IOException {
        defineDataset(List.of("Subject", "Body"));
        model = BundledModels.extract(BundledModels.DEMO_MODEL, tmp.resolve("tiny-model"));
        List<TokenizedExample> test = List.of(new TokenizedExample("t0", 0, new int[]{2, 10, 3}),
                new TokenizedExample("t1", 1, new int[]{2, 11, 12, 3}));
        ShardManifest manifest = new ShardManifest(ShardManifest.VERSION, dataset, build, LABELS,
                Map.of("test", 1), Map.of("test", Map.of("NEGATIVE", 1, "POSITIVE", 1)), "distilbert-tiny",
                "distilbert-tiny", MAX_LENGTH, "test-config", new CleaningReport(List.of(), 0, 0, 0, Map.of(),
                Map.of()));
        TopicTail.produce(bootstrap, Topics.SHARDS, List.of(dataset), List.of(ShardCodec.encode(
                new Shard(dataset, build, "test", 0, test))));
        try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", bootstrap, "acks", "all"),
                new StringSerializer(), new ByteArraySerializer())) {
            var record = new ProducerRecord<>(Topics.SHARDS, dataset, Json.write(manifest)
                    .getBytes(StandardCharsets.UTF_8));
            record.headers().add(Topics.HEADER_TYPE, "manifest".getBytes(StandardCharsets.UTF_8));
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        for (String checkpoint : List.of(first, second)) {
            List<CheckpointChunk> chunks = chunks(checkpoint);
            TopicTail.produce(bootstrap, Topics.CHECKPOINTS, chunks.stream().map(CheckpointChunk::checkpointId)
                    .toList(), chunks.stream().map(CheckpointChunk::encode).toList());
        }
    }

    /**
     * The definition as ingest's registry writes it when the dataset is created over its REST API: key
     * "dataset/defined/claim", header ft-type "defined", acks=all.
     */
    private void defineDataset(List<String> textFields) {
        try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", bootstrap, "acks", "all"),
                new StringSerializer(), new StringSerializer())) {
            var record = new ProducerRecord<>(Topics.DATASET_REGISTRY, dataset + "/" + DatasetDefined.TYPE + "/"
                    + UUID.randomUUID(), Json.write(DatasetDefined.of(dataset, textFields, "Label", LABELS,
                    "Email_ID", "ingest-it")));
            record.headers().add(Topics.HEADER_TYPE, DatasetDefined.TYPE.getBytes(StandardCharsets.UTF_8));
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** In each test, not in @BeforeAll: RestAssured knows the service's port only once a test runs. */
    private void awaitEvaluations() {
        for (String checkpoint : List.of(first, second)) {
            await().atMost(WAIT).until(() -> RestAssured.get("/evaluations/" + checkpoint).statusCode() == 200);
        }
    }

    @Test
    void aDeploymentAnswersEveryRequestOnceNamingTheCheckpointBehindIt() {
        awaitEvaluations();
        String name = "phishing-" + run;
        RestAssured.given().contentType(ContentType.JSON).body(Map.of("name", name, "checkpoint", first))
                .post("/deployments").then().statusCode(201)
                .header("Location", containsString("/deployments/" + name))
                .body("checkpoint", equalTo(first)).body("previous", nullValue());

        List<String> texts = List.of("a wonderful film", "the worst plot ever written", "ok");
        List<String> before = send(name, "a", texts);
        Map<String, Prediction> answered = awaitPredictions(before);
        assertThat(answered.values()).extracting(Prediction::checkpoint).containsOnly(first);
        assertThat(answered.values()).extracting(Prediction::servedBy).containsOnly("evaluator-serving");
        assertThat(answered.values()).extracting(Prediction::deployment).containsOnly(name);
        float[][] expected = expected(texts);
        for (int i = 0; i < texts.size(); i++) {
            Prediction p = answered.get(before.get(i));
            assertThat(p.label()).isEqualTo(LABELS.get(expected[i][1] > expected[i][0] ? 1 : 0));
            assertThat(p.probabilities().get("POSITIVE")).isCloseTo(expected[i][1], within(1e-5));
            assertThat(p.timings().batchSize()).isBetween(1, texts.size());
        }

        // Swapped while requests are on their way: each is answered once, by one checkpoint or the other, and
        // everything sent after the swap was acknowledged is answered by the new one.
        List<String> during = send(name, "b", texts(20));
        RestAssured.given().contentType(ContentType.JSON).body(Map.of("checkpoint", second))
                .put("/deployments/" + name + "/checkpoint").then().statusCode(200)
                .body("checkpoint", equalTo(second)).body("previous", equalTo(first));
        List<String> after = send(name, "c", texts(5));
        Map<String, Prediction> swapped = awaitPredictions(concat(during, after));
        assertThat(during).allSatisfy(id -> assertThat(swapped.get(id).checkpoint()).isIn(first, second));
        assertThat(after).allSatisfy(id -> assertThat(swapped.get(id).checkpoint()).isEqualTo(second));

        RestAssured.given().post("/deployments/" + name + "/rollback").then().statusCode(200)
                .body("checkpoint", equalTo(first)).body("previous", nullValue());
        List<String> rolledBack = send(name, "d", texts(2));
        assertThat(awaitPredictions(rolledBack).values()).extracting(Prediction::checkpoint).containsOnly(first);
        RestAssured.given().post("/deployments/" + name + "/rollback").then().statusCode(409)
                .contentType(containsString("application/problem+json"));

        RestAssured.get("/deployments/" + name).then().statusCode(200).body("checkpoint", equalTo(first));
        RestAssured.get("/deployments").then().statusCode(200).body("name", hasItem(name));
        List<String> all = concat(before, concat(during, concat(after, rolledBack)));
        assertExactlyOnce(all);
        assertThat(metricSum("finetune_serving_predictions_total{", "deployment=\"" + name + "\""))
                .isEqualTo(all.size()); // over the predicted labels
        assertThat(metric("finetune_serving_latency_seconds_count")).isGreaterThanOrEqualTo(all.size());
        RestAssured.get("/q/health/live").then().statusCode(200)
                .body("checks.find { it.name == 'serving' }.status", equalTo("UP"));
    }

    /**
     * A raw e-mail record is read through the text fields of the served checkpoint's dataset as ingest reads the
     * dataset's records (subject, newline, body): it gets the prediction its text gets. Records that give no text
     * are dead letters naming the fields expected.
     */
    @Test
    void aRawRecordIsAnsweredAsTheTextItsDatasetsTextFieldsMake() {
        awaitEvaluations();
        String name = "mail-" + run;
        RestAssured.given().contentType(ContentType.JSON).body(Map.of("name", name, "checkpoint", first))
                .post("/deployments").then().statusCode(201).body("textFields", equalTo(List.of("Subject", "Body")));
        // What serving replicas follow: the deployment's state on its topic, with what a replica needs to serve it.
        try (TopicTail deployments = new TopicTail(bootstrap, Topics.DEPLOYMENTS)) {
            DeploymentState state = deployments.pollUntil(r -> name.equals(r.key()), WAIT).stream()
                    .filter(r -> name.equals(r.key())).map(r -> Json.read(TopicTail.text(r), DeploymentState.class))
                    .findFirst().orElseThrow();
            assertThat(state.checkpoint()).isEqualTo(first);
            assertThat(state.textFields()).containsExactly("Subject", "Body");
            assertThat(state.maxLength()).as("the build's").isEqualTo(MAX_LENGTH);
        }
        await().atMost(WAIT).until(() -> metric("finetune_serving_deployments_unpublished") == 0);
        String subject = "Your account is locked";
        String body = "Verify your password within 24 hours at the link below";
        String asRecord = "record-" + run;
        String asText = "text-" + run;
        String both = "both-" + run;
        String noText = "no-text-" + run;
        TopicTail.produce(bootstrap, Topics.INFERENCE_REQUESTS, List.of(asRecord, asText, both, noText), Stream.of(
                Map.of("id", asRecord, "deployment", name, "record", Map.of("Email_ID", 4711, "Subject", subject,
                        "Body", body)),
                Map.of("id", asText, "deployment", name, "text", subject + "\n" + body),
                Map.of("id", both, "deployment", name, "text", subject, "record", Map.of("Body", body)),
                Map.of("id", noText, "deployment", name, "record", Map.of("Email_ID", 4712, "text", body))
        ).map(request -> Json.write(request).getBytes(StandardCharsets.UTF_8)).toList());

        Map<String, Prediction> answered = awaitPredictions(List.of(asRecord, asText));
        float[] expected = expected(List.of(subject + "\n" + body))[0];
        for (Prediction p : answered.values()) {
            assertThat(p.checkpoint()).isEqualTo(first);
            assertThat(p.probabilities().get("POSITIVE")).isCloseTo(expected[1], within(1e-5));
        }
        assertThat(answered.get(asRecord).probabilities().get("POSITIVE"))
                .isCloseTo(answered.get(asText).probabilities().get("POSITIVE"), within(1e-6));
        assertThat(answered.get(asRecord).tokens()).isEqualTo(answered.get(asText).tokens());

        DeadLetter twice = awaitDeadLetter(l -> l.detail() != null && l.detail().contains("'" + both + "'"));
        assertThat(twice.reason()).isEqualTo("text-and-record");
        DeadLetter missing = awaitDeadLetter(l -> l.detail() != null && l.detail().contains("'" + noText + "'"));
        assertThat(missing.reason()).isEqualTo("missing-text");
        assertThat(missing.detail()).contains("'Subject', 'Body' missing or blank");
        assertThat(missing.payload()).contains("4712");
    }

    @Test
    void aRequestThatCannotBeAnsweredBecomesADeadLetterWithItsReason() {
        String id = "nobody-" + run;
        TopicTail.produce(bootstrap, Topics.INFERENCE_REQUESTS, List.of(id, "garbage-" + run), List.of(
                ("{\"id\": \"" + id + "\", \"text\": \"hello\", \"deployment\": \"nobody-" + run + "\"}")
                        .getBytes(StandardCharsets.UTF_8),
                ("not json " + run).getBytes(StandardCharsets.UTF_8)));

        DeadLetter unknown = awaitDeadLetter(l -> l.detail() != null && l.detail().contains(id));
        assertThat(unknown.reason()).isEqualTo("unknown-deployment");
        assertThat(unknown.service()).isEqualTo("evaluator-service");
        assertThat(unknown.origin()).startsWith("kafka:" + Topics.INFERENCE_REQUESTS + "/");
        DeadLetter garbage = awaitDeadLetter(l -> l.payload() != null && l.payload().equals("not json " + run));
        assertThat(garbage.reason()).isEqualTo("invalid-json");
        await().atMost(WAIT).until(() -> metric("finetune_serving_dead_letters_total{reason=\"invalid-json\"}") >= 1);
    }

    /**
     * A correction goes back as a labeled raw record: on ingest's raw topic, keyed by the checkpoint's dataset, with
     * the correction's id, the label given and its origin, in the raw record's published schema; a bad one is refused.
     */
    @Test
    void aCorrectionGoesOntoTheRawTopicAsALabeledRecordWithItsOrigin() throws IOException {
        awaitEvaluations();
        String name = "fixes-" + run;
        RestAssured.given().contentType(ContentType.JSON).body(Map.of("name", name, "checkpoint", first))
                .post("/deployments").then().statusCode(201);
        String request = "mail-1-" + run;
        String id = "correction:" + name + ":" + request;

        io.restassured.response.Response accepted = RestAssured.given().contentType(ContentType.JSON)
                .body(Map.of("requestId", request, "text", "the worst plot ever written", "label", " POSITIVE",
                        "predicted", "NEGATIVE")).post("/deployments/" + name + "/corrections");
        accepted.then().statusCode(202).body("id", equalTo(id)).body("dataset", equalTo(dataset))
                .body("checkpoint", equalTo(first)).body("label", equalTo("POSITIVE"))
                .body("topic", equalTo(Topics.RAW_RECORDS));
        ConsumerRecord<String, byte[]> raw = awaitRaw(id);
        assertThat(raw.key()).isEqualTo(dataset);
        assertThat(raw.partition()).isEqualTo(accepted.path("partition"));
        assertThat(raw.offset()).isEqualTo(((Number) accepted.path("offset")).longValue());
        com.fasterxml.jackson.databind.JsonNode value = Json.MAPPER.readTree(TopicTail.text(raw));
        assertThat(value.get("dataset").asText()).isEqualTo(dataset);
        assertThat(value.get("id").asText()).isEqualTo(id);
        assertThat(value.get("text").asText()).isEqualTo("the worst plot ever written");
        assertThat(value.get("label").asText()).isEqualTo("POSITIVE");
        assertThat(Json.MAPPER.treeToValue(value.get("origin"), RecordOrigin.class))
                .isEqualTo(RecordOrigin.correction(name, request, first, "NEGATIVE"));
        JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(
                Json.MAPPER.readTree(Files.readString(Path.of("..", "docs", "schemas", "raw-record.schema.json"))));
        assertThat(schema.validate(value)).isEmpty();
        assertThat(metric("finetune_serving_corrections_total{deployment=\"" + name
                + "\",label=\"POSITIVE\",prediction=\"wrong\"}")).isEqualTo(1.0);

        // The prediction's own checkpoint, when the caller kept it, is the origin's; no predicted label: unknown.
        RestAssured.given().contentType(ContentType.JSON).body(Map.of("requestId", "mail-2-" + run, "text", "fine",
                "label", "NEGATIVE", "checkpoint", second)).post("/deployments/" + name + "/corrections").then()
                .statusCode(202).body("checkpoint", equalTo(second)).body("predicted", nullValue());
        assertThat(metric("finetune_serving_corrections_total{deployment=\"" + name
                + "\",label=\"NEGATIVE\",prediction=\"unknown\"}")).isEqualTo(1.0);

        String corrections = "/deployments/" + name + "/corrections";
        problem(RestAssured.given().contentType(ContentType.JSON).body(Map.of("requestId", "r", "text", "t",
                "label", "MAYBE")).post(corrections), 400).body("detail", containsString("[NEGATIVE, POSITIVE]"));
        problem(RestAssured.given().contentType(ContentType.JSON).body(Map.of("requestId", "r", "text", "t",
                "label", "NEGATIVE", "predicted", "MAYBE")).post(corrections), 400)
                .body("detail", containsString("'predicted'"));
        problem(RestAssured.given().contentType(ContentType.JSON).body(Map.of("requestId", "r", "text", "  ",
                "label", "NEGATIVE")).post(corrections), 400).body("detail", containsString("'text'"));
        problem(RestAssured.given().contentType(ContentType.JSON).body(Map.of("text", "t", "label", "NEGATIVE"))
                .post(corrections), 400).body("detail", containsString("'requestId'"));
        problem(RestAssured.given().contentType(ContentType.JSON).body(Map.of("requestId", "r", "text", "t",
                "label", "NEGATIVE", "checkpoint", "never-" + run)).post(corrections), 400)
                .body("detail", containsString("never-" + run));
        problem(RestAssured.given().contentType(ContentType.JSON).body(Map.of("requestId", "r", "text", "t",
                "label", "NEGATIVE")).post("/deployments/none-" + run + "/corrections"), 404)
                .body("detail", containsString("none-" + run));
        assertThat(metricSum("finetune_serving_corrections_total{", "deployment=\"" + name + "\"")).isEqualTo(2.0);
    }

    private ConsumerRecord<String, byte[]> awaitRaw(String id) {
        try (TopicTail raw = new TopicTail(bootstrap, Topics.RAW_RECORDS)) {
            Predicate<ConsumerRecord<String, byte[]>> ours = r -> TopicTail.text(r).contains("\"" + id + "\"");
            return raw.pollUntil(ours, WAIT).stream().filter(ours).findFirst()
                    .orElseThrow(() -> new AssertionError("no raw record " + id + " within " + WAIT));
        }
    }

    /** The sum of the samples in /q/metrics of a metric's series that have the tag, whatever their other tags. */
    private static double metricSum(String metric, String tag) {
        return RestAssured.get("/q/metrics").asString().lines().filter(l -> l.startsWith(metric) && l.contains(tag))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** A sample's value in /q/metrics, or NaN when the series is absent. */
    private static double metric(String series) {
        for (String line : RestAssured.get("/q/metrics").asString().split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return Double.NaN;
    }

    @Test
    void badChangesAreRefusedWithAProblem() {
        awaitEvaluations();
        String name = "refusals-" + run;
        problem(RestAssured.given().contentType(ContentType.JSON).body(Map.of("name", name, "checkpoint",
                "never-" + run)).post("/deployments"), 404).body("detail", containsString("never-" + run));
        problem(RestAssured.given().contentType(ContentType.JSON).body(Map.of("name", "Not A Name",
                "checkpoint", first)).post("/deployments"), 400).body("detail", containsString("Not A Name"));
        problem(RestAssured.given().contentType(ContentType.JSON).body(Map.of("name", name))
                .post("/deployments"), 400);
        RestAssured.given().contentType(ContentType.JSON).body(Map.of("name", name, "checkpoint", first))
                .post("/deployments").then().statusCode(201);
        problem(RestAssured.given().contentType(ContentType.JSON).body(Map.of("name", name, "checkpoint", second))
                .post("/deployments"), 409);
        problem(RestAssured.given().contentType(ContentType.JSON).body(Map.of("checkpoint", "never-" + run))
                .put("/deployments/" + name + "/checkpoint"), 404);
        problem(RestAssured.given().post("/deployments/" + name + "/rollback"), 409);
        problem(RestAssured.given().post("/deployments/none-" + run + "/rollback"), 404);
        problem(RestAssured.given().get("/deployments/none-" + run), 404);
        RestAssured.get("/deployments/" + name).then().statusCode(200).body("checkpoint", equalTo(first));
    }

    private static io.restassured.response.ValidatableResponse problem(io.restassured.response.Response response,
                                                                       int status) {
        return response.then().statusCode(status).contentType(containsString("application/problem+json"))
                .body("status", equalTo(status));
    }

    /** Requests as {@code kcat -P -K '|'} would push them: key = request id, value = the JSON request. */
    private List<String> send(String deployment, String prefix, List<String> texts) {
        List<String> ids = IntStream.range(0, texts.size()).mapToObj(i -> prefix + i + "-" + run).toList();
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            values.add(Json.write(Map.of("id", ids.get(i), "text", texts.get(i), "deployment", deployment))
                    .getBytes(StandardCharsets.UTF_8));
        }
        TopicTail.produce(bootstrap, Topics.INFERENCE_REQUESTS, ids, values);
        return ids;
    }

    private Map<String, Prediction> awaitPredictions(List<String> ids) {
        try (TopicTail tail = new TopicTail(bootstrap, Topics.PREDICTIONS)) {
            Set<String> wanted = Set.copyOf(ids);
            Map<String, Prediction> byId = new java.util.HashMap<>();
            await().atMost(WAIT).until(() -> {
                for (ConsumerRecord<String, byte[]> r : tail.poll(Duration.ofMillis(200))) {
                    if (wanted.contains(r.key())) {
                        Prediction p = Json.read(TopicTail.text(r), Prediction.class);
                        assertThat(p.requestId()).isEqualTo(r.key());
                        byId.put(r.key(), p);
                    }
                }
                return byId.keySet().containsAll(wanted);
            });
            return byId;
        }
    }

    /** After every answer arrived, a moment more shows any second answer (they share a partition, in order). */
    private void assertExactlyOnce(List<String> ids) {
        try (TopicTail tail = new TopicTail(bootstrap, Topics.PREDICTIONS)) {
            Set<String> wanted = Set.copyOf(ids);
            Map<String, Long> counts = tail.poll(Duration.ofSeconds(3)).stream().map(ConsumerRecord::key)
                    .filter(wanted::contains).collect(Collectors.groupingBy(k -> k, Collectors.counting()));
            assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(wanted);
            assertThat(counts.values()).containsOnly(1L);
        }
    }

    private DeadLetter awaitDeadLetter(Predicate<DeadLetter> match) {
        try (TopicTail letters = new TopicTail(bootstrap, Topics.DEAD_LETTERS)) {
            Predicate<ConsumerRecord<String, byte[]>> ours =
                    r -> match.test(Json.read(TopicTail.text(r), DeadLetter.class));
            return letters.pollUntil(ours, WAIT).stream().filter(ours).findFirst()
                    .map(r -> Json.read(TopicTail.text(r), DeadLetter.class))
                    .orElseThrow(() -> new AssertionError("no matching dead letter within " + WAIT));
        }
    }

    private float[][] expected(List<String> texts) {
        try (TextTokenizer tokenizer = TextTokenizer.load(model, MAX_LENGTH);
             EncoderClassifier classifier = EncoderClassifier.load(model, null, Devices.best())) {
            return Predictor.probabilities(classifier,
                    tokenizer.encodeBatch(texts).stream().map(TextTokenizer.Encoded::intIds).toList(), 8);
        }
    }

    private static List<String> texts(int n) {
        return IntStream.range(0, n).mapToObj(i -> "request number " + i + " " + "word ".repeat(i)).toList();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private List<CheckpointChunk> chunks(String checkpoint) throws IOException {
        CheckpointInfo info = new CheckpointInfo(CheckpointInfo.VERSION, job, checkpoint, dataset, build,
                "distilbert-tiny", 1, 5, true, 0.5, 0.6, 0.7, null, List.of());
        Path dir = tmp.resolve(checkpoint);
        Files.createDirectories(dir);
        try (var files = Files.list(model)) {
            for (Path file : files.toList()) {
                Files.copy(file, dir.resolve(file.getFileName()));
            }
        }
        Files.writeString(dir.resolve(CheckpointInfo.FILE_NAME), Json.write(info));
        return CheckpointChunk.split(checkpoint, job, ModelArchive.zip(dir));
    }
}

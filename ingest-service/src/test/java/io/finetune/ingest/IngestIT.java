package io.finetune.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.finetune.contracts.CleaningReport;
import io.finetune.contracts.DatasetRecord;
import io.finetune.contracts.DeadLetter;
import io.finetune.contracts.Json;
import io.finetune.contracts.PreparationFailed;
import io.finetune.contracts.RecordOrigin;
import io.finetune.contracts.ShardManifest;
import io.finetune.contracts.Topics;
import io.finetune.ingest.formats.ArchiveFixtures;
import io.finetune.ingest.formats.MailFixtures;
import io.finetune.ingest.formats.MalformedMail;
import io.finetune.ingest.formats.ParquetRecordsTest;
import io.finetune.kafka.local.LocalKafkaResource;
import io.finetune.kafka.local.TopicTail;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;

/**
 * ingest-service against a real Kafka broker: REST uploads (JSON, CSV) and imports (IMDB, Parquet, e-mail), raw-topic
 * intake, dead letters, seal (and seal again after a failed preparation), body limits, health, metrics.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
class IngestIT {
    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String kafka() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    @Test
    void restUploadKeepsGoodLinesAndReportsBadOnes() {
        given().contentType(ContentType.JSON).body("{\"name\":\"rest-set\",\"labels\":[\"pos\",\"neg\"]}")
                .post("/datasets").then().statusCode(201);
        String upload = String.join("\n",
                "{\"text\":\"a fine film\",\"label\":\"pos\"}",
                "{\"text\":\"dull\",\"label\":\"meh\"}",
                "not json at all",
                "{\"label\":\"neg\"}",
                "{\"text\":\"awful plot\",\"label\":\"neg\",\"id\":\"r-4\"}");
        given().contentType("application/x-ndjson").body(bytes(upload)).post("/datasets/rest-set/records")
                .then().statusCode(200)
                .body("accepted", equalTo(2)).body("rejected", equalTo(3))
                .body("errors.line", equalTo(List.of(2, 3, 4)))
                .body("errors.reason", equalTo(List.of("unknown-label", "invalid-json", "missing-text")))
                .body("errors[0].field", equalTo("label"));

        given().contentType(ContentType.JSON).body("{}").post("/datasets/rest-set/seal").then().statusCode(200)
                .body("state", equalTo("SEALED")).body("accepted", equalTo(2));
        given().contentType("application/x-ndjson").body(bytes("{\"text\":\"late\",\"label\":\"pos\"}"))
                .post("/datasets/rest-set/records")
                .then().statusCode(409).contentType("application/problem+json").body("detail", containsString("sealed"));

        try (TopicTail records = new TopicTail(kafka(), Topics.DATASET_RECORDS)) {
            List<DatasetRecord> ofSet = records.pollUntil(r -> TopicTail.text(r).contains("\"END\"")
                            && "rest-set".equals(r.key()), Duration.ofSeconds(30)).stream()
                    .filter(r -> "rest-set".equals(r.key()))
                    .map(r -> Json.read(TopicTail.text(r), DatasetRecord.class)).toList();
            assertThat(ofSet).extracting(DatasetRecord::kind)
                    .containsExactly(DatasetRecord.Kind.RECORD, DatasetRecord.Kind.RECORD, DatasetRecord.Kind.END);
            assertThat(ofSet.get(1).id()).isEqualTo("r-4");
            assertThat(ofSet.get(2).accepted()).isEqualTo(2);
        }
    }

    @Test
    void restRejectsUploadsWithNoGoodRecordAndUnknownDatasets() {
        given().contentType(ContentType.JSON).body("{\"name\":\"all-bad\"}").post("/datasets").then().statusCode(201);
        given().contentType(ContentType.JSON).body("{\"name\":\"all-bad\"}").post("/datasets").then().statusCode(409);
        given().contentType(ContentType.JSON).body("{\"name\":\"../etc\"}").post("/datasets").then().statusCode(400)
                .contentType("application/problem+json");
        given().contentType("application/x-ndjson").body(bytes("{\"text\":\"   \",\"label\":\"x\"}"))
                .post("/datasets/all-bad/records").then().statusCode(400)
                .body("errors[0].reason", equalTo("missing-text"));
        given().contentType("application/x-ndjson").body(bytes("{\"text\":\"x\",\"label\":\"y\"}"))
                .post("/datasets/nobody/records").then().statusCode(404).body("status", equalTo(404));
    }

    @Test
    void rawTopicRecordsFlowAndBadOnesBecomeDeadLetters() {
        List<String> values = List.of(
                "{\"dataset\":\"kafka-set\",\"text\":\"loved it\",\"label\":\"pos\"}",
                "{this is not json",
                "{\"dataset\":\"kafka-set\",\"label\":\"neg\"}",
                "{\"dataset\":\"kafka-set\",\"text\":\"no label here\"}",
                "{\"dataset\":\"kafka-set\",\"text\":\"hated it\",\"label\":\"neg\"}",
                "{\"dataset\":\"kafka-set\",\"end\":true}");
        byte[] invalidUtf8 = {'{', '"', 't', '"', ':', (byte) 0xC3, (byte) 0x28, '}'};
        List<byte[]> bytes = new java.util.ArrayList<>(values.stream()
                .map(v -> v.getBytes(StandardCharsets.UTF_8)).toList());
        bytes.add(3, invalidUtf8);
        TopicTail.produce(kafka(), Topics.RAW_RECORDS, java.util.Collections.nCopies(bytes.size(), "kafka-set"), bytes);

        try (TopicTail records = new TopicTail(kafka(), Topics.DATASET_RECORDS);
             TopicTail dead = new TopicTail(kafka(), Topics.DEAD_LETTERS)) {
            List<DatasetRecord> good = records.pollUntil(r -> "kafka-set".equals(r.key())
                            && TopicTail.text(r).contains("\"END\""), Duration.ofSeconds(30)).stream()
                    .filter(r -> "kafka-set".equals(r.key()))
                    .map(r -> Json.read(TopicTail.text(r), DatasetRecord.class)).toList();
            assertThat(good).extracting(DatasetRecord::text).containsExactly("loved it", "hated it", null);
            assertThat(good.get(2).accepted()).isEqualTo(2);

            List<ConsumerRecord<String, byte[]>> letters = dead.pollUntil(r -> false, Duration.ofSeconds(3));
            List<DeadLetter> mine = letters.stream().map(r -> Json.read(TopicTail.text(r), DeadLetter.class))
                    .filter(d -> d.origin().startsWith("kafka:")).toList();
            assertThat(mine).extracting(DeadLetter::reason)
                    .contains("invalid-json", "missing-text", "invalid-utf8", "missing-label");
            assertThat(mine).allSatisfy(d -> assertThat(d.origin()).startsWith("kafka:" + Topics.RAW_RECORDS));
            assertThat(mine).filteredOn(d -> d.reason().equals("invalid-json"))
                    .extracting(DeadLetter::payload).containsExactly("{this is not json");
        }
        JsonNode status = Json.MAPPER.valueToTree(given().get("/datasets/kafka-set").then().statusCode(200)
                .extract().as(java.util.Map.class));
        assertThat(status.get("rejectedByReason").get("invalid-json").asInt()).isEqualTo(1);
        assertThat(status.get("state").asText()).isEqualTo("SEALED");
    }

    /**
     * Also: status lookups are answered from ingest's index of the shards topic, which reads each record of the topic
     * once: polling the status of a sealed dataset reads nothing more (before, each GET read the whole topic again),
     * and a manifest published after start-up is found by the next GET (read-your-writes).
     */
    @Test
    void aSealedDatasetShowsItsCleaningReportOncePreprocessPublishedTheManifest() {
        given().contentType(ContentType.JSON).body("{\"name\":\"prepared-set\"}").post("/datasets").then().statusCode(201);
        given().contentType("application/x-ndjson").body(bytes("{\"text\":\"fine\",\"label\":\"a\"}"))
                .post("/datasets/prepared-set/records").then().statusCode(200);
        given().contentType(ContentType.JSON).body("{}").post("/datasets/prepared-set/seal").then().statusCode(200);
        given().get("/datasets/prepared-set").then().statusCode(200).body("state", equalTo("SEALED"));
        publish("prepared-set", "shard", "not a manifest: skipped by its type");
        given().get("/datasets/prepared-set").then().statusCode(200).body("state", equalTo("SEALED"));
        double read = shardIndexRecordsRead();
        for (int i = 0; i < 20; i++) {
            given().get("/datasets/prepared-set").then().statusCode(200).body("state", equalTo("SEALED"));
        }
        assertThat(shardIndexRecordsRead()).as("records of the shards topic read by 20 lookups").isEqualTo(read);

        publishManifest("prepared-set");

        given().get("/datasets/prepared-set").then().statusCode(200)
                .body("state", equalTo("PREPARED"))
                .body("prepared.build", equalTo("b7"))
                .body("prepared.counts.train.a", equalTo(1))
                .body("prepared.report.steps[0].name", equalTo("dedupe-exact"));
        assertThat(shardIndexRecordsRead()).as("the manifest, read once").isEqualTo(read + 1);
        given().contentType(ContentType.JSON).body("{}").post("/datasets/prepared-set/seal").then().statusCode(409)
                .contentType("application/problem+json").body("detail", containsString("is prepared"));
    }

    @Test
    void aFailedPreparationShowsWhyAndASecondSealWithCorrectedOptionsSendsNoRecordAgain() {
        String dataset = "failed-set";
        given().contentType(ContentType.JSON).body("{\"name\":\"" + dataset + "\"}").post("/datasets").then()
                .statusCode(201);
        given().contentType("application/x-ndjson").body(bytes("{\"id\":\"f-1\",\"text\":\"fine\",\"label\":\"a\"}\n"
                        + "{\"id\":\"f-2\",\"text\":\"poor\",\"label\":\"b\"}"))
                .post("/datasets/" + dataset + "/records").then().statusCode(200).body("accepted", equalTo(2));
        given().contentType(ContentType.JSON).body("{\"model\":\"bert-bsae\"}").post("/datasets/" + dataset + "/seal")
                .then().statusCode(200).body("state", equalTo("SEALED"));
        given().contentType(ContentType.JSON).body("{}").post("/datasets/" + dataset + "/seal").then().statusCode(409)
                .body("detail", containsString("being prepared"));

        // What preprocess-service publishes when it cannot prepare a seal (by hand: this test runs ingest alone).
        publish(dataset, PreparationFailed.RECORD_TYPE, Json.write(PreparationFailed.of(dataset, 1, "unknown-model",
                "no model 'bert-bsae' in the models directory or on the Hugging Face Hub")));
        given().get("/datasets/" + dataset).then().statusCode(200)
                .body("state", equalTo("FAILED"))
                .body("failure.seal", equalTo(1))
                .body("failure.reason", equalTo("unknown-model"))
                .body("failure.detail", containsString("bert-bsae"));
        given().contentType("application/x-ndjson").body(bytes("{\"text\":\"late\",\"label\":\"a\"}"))
                .post("/datasets/" + dataset + "/records").then().statusCode(409);

        given().contentType(ContentType.JSON).body("{\"model\":\"distilbert-tiny\"}")
                .post("/datasets/" + dataset + "/seal").then().statusCode(200)
                .body("state", equalTo("SEALED")).body("accepted", equalTo(2));
        // Seal 1's failure says nothing of seal 2, which preprocess now prepares.
        given().get("/datasets/" + dataset).then().body("state", equalTo("SEALED")).body("failure", nullValue());
        given().contentType(ContentType.JSON).body("{}").post("/datasets/" + dataset + "/seal").then().statusCode(409)
                .body("detail", containsString("being prepared"));

        try (TopicTail records = new TopicTail(kafka(), Topics.DATASET_RECORDS)) {
            List<DatasetRecord> ofSet = records.pollUntil(r -> dataset.equals(r.key())
                            && TopicTail.text(r).contains("distilbert-tiny"), Duration.ofSeconds(30)).stream()
                    .filter(r -> dataset.equals(r.key()))
                    .map(r -> Json.read(TopicTail.text(r), DatasetRecord.class)).toList();
            assertThat(ofSet).extracting(DatasetRecord::kind).containsExactly(DatasetRecord.Kind.RECORD,
                    DatasetRecord.Kind.RECORD, DatasetRecord.Kind.END, DatasetRecord.Kind.END);
            assertThat(ofSet).extracting(DatasetRecord::id).startsWith("f-1", "f-2");
            DatasetRecord second = ofSet.get(3);
            assertThat(second.sealNumber()).isEqualTo(2);
            assertThat(second.accepted()).isEqualTo(2);
            assertThat(second.options().model()).isEqualTo("distilbert-tiny");
        }

        publishManifest(dataset);
        given().get("/datasets/" + dataset).then().body("state", equalTo("PREPARED"));
    }

    /** finetune_ingest_shard_index_records_total from /q/metrics. */
    private static double shardIndexRecordsRead() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        java.util.regex.Matcher line = java.util.regex.Pattern
                .compile("(?m)^finetune_ingest_shard_index_records_total(\\{[^}]*})? (\\S+)$").matcher(metrics);
        assertThat(line.find()).as("the index's metric is served").isTrue();
        return Double.parseDouble(line.group(2));
    }

    /** What preprocess-service publishes after the last shard of a dataset (by hand: this test runs ingest alone). */
    private static void publishManifest(String dataset) {
        CleaningReport report = new CleaningReport(List.of(new CleaningReport.Step("dedupe-exact", 1, 1, "0 removed")),
                0, 0, 0, java.util.Map.of(), java.util.Map.of());
        ShardManifest manifest = new ShardManifest(ShardManifest.VERSION, dataset, "b7", List.of("a", "b"),
                java.util.Map.of("train", 1), java.util.Map.of("train", java.util.Map.of("a", 1)), "tok", "model", 64,
                "hash", report);
        publish(dataset, ShardManifest.RECORD_TYPE, Json.write(manifest));
    }

    private static void publish(String dataset, String type, String json) {
        org.apache.kafka.clients.producer.ProducerRecord<String, byte[]> record =
                new org.apache.kafka.clients.producer.ProducerRecord<>(Topics.SHARDS, dataset, bytes(json));
        record.headers().add(Topics.HEADER_TYPE, bytes(type));
        java.util.Properties props = new java.util.Properties();
        props.put("bootstrap.servers", kafka());
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<>(props,
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void healthAndMetricsAreServed() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().contentType(ContentType.JSON).body("{\"name\":\"metric-set\"}").post("/datasets").then().statusCode(201);
        given().contentType("application/x-ndjson").body(bytes("{\"text\":\"ok\",\"label\":\"a\"}\n[1]"))
                .post("/datasets/metric-set/records").then().statusCode(200);
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).containsPattern("finetune_ingest_records_total\\{.*outcome=\"accepted\".*} [1-9]");
        assertThat(metrics).containsPattern("finetune_ingest_records_total\\{.*outcome=\"rejected\",reason=\"not-an-object\".*} [1-9]");
        given().get("/q/openapi").then().statusCode(200).body(containsString("/datasets/{name}/records"))
                .body(containsString("/datasets/{name}/import")).body(containsString("text/csv"))
                .body(containsString("text/tab-separated-values")).body(containsString("application/vnd.apache.parquet"));
    }

    /**
     * A correction of a prediction pushed onto the raw topic, as evaluator-service's POST /deployments/{name}/corrections
     * or any client does: read as text, label and id although the dataset names other fields, and forwarded with its
     * origin; a malformed origin is a dead letter that says why.
     */
    @Test
    void aCorrectionOnTheRawTopicBecomesARecordWithItsOrigin() {
        given().contentType(ContentType.JSON).body("{\"name\":\"phish-fixes\",\"textFields\":[\"Subject\",\"Body\"],"
                + "\"labelField\":\"Label\",\"labels\":[\"phishing\",\"legit\"],\"idField\":\"Email_ID\"}")
                .post("/datasets").then().statusCode(201);
        String origin = "{\"kind\":\"correction\",\"deployment\":\"phishing\",\"requestId\":\"mail-4711\","
                + "\"checkpoint\":\"job-7-epoch-3\",\"predicted\":\"phishing\"}";
        TopicTail.produce(kafka(), Topics.RAW_RECORDS, List.of("phish-fixes", "phish-fixes"), List.of(
                bytes("{\"id\":\"correction:phishing:mail-4711\",\"text\":\"Lunch at noon?\",\"label\":\"legit\","
                        + "\"origin\":" + origin + "}"),
                bytes("{\"text\":\"Lunch at one?\",\"label\":\"legit\",\"origin\":{\"kind\":\"correction\"}}")));

        try (TopicTail records = new TopicTail(kafka(), Topics.DATASET_RECORDS);
             TopicTail dead = new TopicTail(kafka(), Topics.DEAD_LETTERS)) {
            DatasetRecord fixed = records.pollUntil(r -> "phish-fixes".equals(r.key()), Duration.ofSeconds(30))
                    .stream().filter(r -> "phish-fixes".equals(r.key()))
                    .map(r -> Json.read(TopicTail.text(r), DatasetRecord.class)).findFirst().orElseThrow();
            assertThat(fixed.id()).isEqualTo("correction:phishing:mail-4711");
            assertThat(fixed.text()).isEqualTo("Lunch at noon?");
            assertThat(fixed.label()).isEqualTo("legit");
            assertThat(fixed.origin()).isEqualTo(Json.read(origin, RecordOrigin.class));

            DeadLetter refused = dead.pollUntil(r -> TopicTail.text(r).contains("Lunch at one?"), Duration.ofSeconds(30))
                    .stream().map(r -> Json.read(TopicTail.text(r), DeadLetter.class))
                    .filter(d -> d.payload() != null && d.payload().contains("Lunch at one?")).findFirst().orElseThrow();
            assertThat(refused.reason()).isEqualTo("invalid-origin");
            assertThat(refused.detail()).contains("'deployment'", "'requestId'");
        }
    }

    @Test
    void csvColumnsAreMappedByTheDatasetDefinition() {
        given().contentType(ContentType.JSON).body("{\"name\":\"phish-csv\",\"textFields\":[\"Subject\",\"Body\"],"
                + "\"labelField\":\"Label\",\"labels\":[\"Phishing\",\"Legitimate\"],\"idField\":\"Email_ID\"}")
                .post("/datasets").then().statusCode(201).body("definition.idField", equalTo("Email_ID"));
        String csv = "Email_ID,Subject,Body,Label\r\n"
                + "e-1,Verify now,\"Dear user,\r\nclick \"\"here\"\"\",Phishing\r\n"
                + "e-2,\"Lunch,Today\",\"See you\",Legitimate\r\n"
                + "e-3,Broken,\"never closed,Phishing\r\n"
                + "e-4,Hi,Hello,Spam\r\n";
        given().contentType("text/csv").body(bytes(csv)).post("/datasets/phish-csv/records").then().statusCode(200)
                .body("accepted", equalTo(2)).body("rejected", equalTo(2))
                .body("errors.line", equalTo(List.of(5, 6)))
                .body("errors.reason", equalTo(List.of("unbalanced-quote", "unknown-label")))
                .body("errors[1].field", equalTo("Label"));
        given().get("/datasets/phish-csv").then().statusCode(200).body("accepted", equalTo(2))
                .body("rejectedByReason.unbalanced-quote", equalTo(1)).body("rejectedByReason.unknown-label", equalTo(1));
        try (TopicTail records = new TopicTail(kafka(), Topics.DATASET_RECORDS)) {
            List<DatasetRecord> ofSet = records.pollUntil(r -> "phish-csv".equals(r.key())
                            && TopicTail.text(r).contains("e-2"), Duration.ofSeconds(30)).stream()
                    .filter(r -> "phish-csv".equals(r.key()))
                    .map(r -> Json.read(TopicTail.text(r), DatasetRecord.class)).toList();
            assertThat(ofSet).extracting(DatasetRecord::id).containsExactly("e-1", "e-2");
            assertThat(ofSet.get(0).text()).isEqualTo("Verify now\nDear user,\nclick \"here\"");
        }
    }

    @Test
    void wellKnownFormatsAreImported(@TempDir Path dir) throws IOException {
        given().contentType(ContentType.JSON).body("{\"name\":\"imdb-import\",\"labels\":[\"positive\",\"negative\"]}")
                .post("/datasets").then().statusCode(201);
        given().contentType("application/gzip").body(ArchiveFixtures.imdbTarGz())
                .post("/datasets/imdb-import/import?format=imdb").then().statusCode(200)
                .body("accepted", equalTo(6)).body("rejected", equalTo(0));

        given().contentType(ContentType.JSON).body("{\"name\":\"hf-parquet\"}").post("/datasets").then().statusCode(201);
        Path parquet = dir.resolve("train.parquet");
        ParquetRecordsTest.writeHuggingFaceStyle(parquet, true);
        given().contentType("application/vnd.apache.parquet").body(Files.readAllBytes(parquet))
                .post("/datasets/hf-parquet/import?format=parquet&split=train").then().statusCode(200)
                .body("accepted", equalTo(2)).body("errors[0].reason", equalTo("missing-text"))
                .body("errors[0].source", equalTo("row 3"));

        given().contentType(ContentType.JSON).body("{\"name\":\"mails\"}").post("/datasets").then().statusCode(201);
        given().contentType("application/mbox").body(bytes(MailFixtures.mbox()))
                .post("/datasets/mails/import?format=mbox&label=Phishing").then().statusCode(200)
                .body("accepted", equalTo(3));
        given().contentType("message/rfc822").body(bytes(MailFixtures.htmlWithAttachment()))
                .post("/datasets/mails/import?format=eml").then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("label"));
        given().contentType("application/gzip").body(ArchiveFixtures.tarGz(java.util.Map.of("../x.eml", "x")))
                .post("/datasets/mails/import?format=eml&label=Phishing").then().statusCode(400)
                .body("detail", containsString("refused archive"));
        given().contentType("application/octet-stream").body(bytes("x"))
                .post("/datasets/mails/import?format=xls").then().statusCode(400)
                .body("detail", containsString("imdb, parquet, eml, mbox"));

        try (TopicTail records = new TopicTail(kafka(), Topics.DATASET_RECORDS)) {
            List<DatasetRecord> imdb = records.pollUntil(r -> "imdb-import".equals(r.key())
                            && TopicTail.text(r).contains("test/neg/0_3"), Duration.ofSeconds(30)).stream()
                    .filter(r -> "imdb-import".equals(r.key()))
                    .map(r -> Json.read(TopicTail.text(r), DatasetRecord.class)).toList();
            assertThat(imdb).extracting(DatasetRecord::split).containsExactly("train", "train", "train", "train",
                    "test", "test");
        }
    }

    @Test
    void eachEndpointHasItsOwnBodyLimit() {
        String big = "{\"name\":\"big\",\"labels\":[\"" + "x".repeat(70_000) + "\"]}";
        given().contentType(ContentType.JSON).body(big).post("/datasets").then().statusCode(413)
                .contentType("application/problem+json").body("detail", containsString("65536"));
        given().contentType(ContentType.JSON).body("{\"name\":\"big-ok\"}").post("/datasets").then().statusCode(201);
        String upload = ("{\"text\":\"" + "y".repeat(1000) + "\",\"label\":\"a\"}\n").repeat(100);
        given().contentType("application/x-ndjson").body(bytes(upload)).post("/datasets/big-ok/records")
                .then().statusCode(200).body("accepted", equalTo(100));
    }

    @Test
    void malformedMailIsImportedAsAMailClientReadsItAndOnlyAMessageWithoutTextIsRejected() throws IOException {
        given().contentType(ContentType.JSON).body("{\"name\":\"spam\"}").post("/datasets").then().statusCode(201);
        java.util.Map<String, byte[]> files = new java.util.LinkedHashMap<>();
        MalformedMail.all().forEach((name, mail) -> files.put("spam/" + name, mail));
        int good = files.size() - 1;
        given().contentType("application/zip").body(ArchiveFixtures.zip(files))
                .post("/datasets/spam/import?format=eml&label=Spam").then().statusCode(200)
                .body("accepted", equalTo(good)).body("rejected", equalTo(1))
                .body("errors[0].reason", equalTo("missing-text"))
                .body("errors[0].source", equalTo("spam/" + MalformedMail.NO_TEXT))
                .body("errors[0].line", equalTo(good + 1));
        given().contentType("application/mbox").body(MalformedMail.mbox())
                .post("/datasets/spam/import?format=mbox&label=Spam").then().statusCode(200)
                .body("accepted", equalTo(good)).body("rejected", equalTo(1))
                .body("errors[0].reason", equalTo("missing-text"))
                .body("errors[0].source", equalTo("message " + (good + 1)));
        given().contentType("message/rfc822").body(MalformedMail.all().get(MalformedMail.NUL_CHARACTERS))
                .post("/datasets/spam/import?format=eml&label=Spam").then().statusCode(200)
                .body("accepted", equalTo(1)).body("rejected", equalTo(0));
    }
}

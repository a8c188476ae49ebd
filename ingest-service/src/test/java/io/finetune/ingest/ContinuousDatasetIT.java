package io.finetune.ingest;

import io.finetune.contracts.CleaningReport;
import io.finetune.contracts.DatasetRecord;
import io.finetune.contracts.DeadLetter;
import io.finetune.contracts.Json;
import io.finetune.contracts.ShardManifest;
import io.finetune.contracts.Topics;
import io.finetune.kafka.local.LocalKafkaResource;
import io.finetune.kafka.local.TopicTail;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

/**
 * A continuous dataset over a real broker: records are accepted after every seal, each seal ends a version (its END
 * marker behind every record accepted before it), and once a version is prepared the next one keeps its options.
 * Preprocess is played by hand here (its manifest published on the shards topic); preprocess-service's
 * ContinuousDatasetIT prepares versions for real.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
class ContinuousDatasetIT {
    private static final String DATASET = "continuous-set";

    private static String kafka() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void upload(String... texts) {
        uploadTo(DATASET, texts);
    }

    private static void uploadTo(String dataset, String... texts) {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < texts.length; i++) {
            lines.append("{\"text\":\"").append(texts[i]).append("\",\"label\":\"").append(i % 2 == 0 ? "pos" : "neg")
                    .append("\"}\n");
        }
        given().contentType("application/x-ndjson").body(bytes(lines.toString()))
                .post("/datasets/" + dataset + "/records").then().statusCode(200)
                .body("accepted", equalTo(texts.length)).body("rejected", equalTo(0));
    }

    @Test
    void recordsKeepComingAfterASealAndEachSealEndsAVersion() {
        given().contentType(ContentType.JSON)
                .body("{\"name\":\"" + DATASET + "\",\"labels\":[\"pos\",\"neg\"],\"continuous\":true}")
                .post("/datasets").then().statusCode(201)
                .body("definition.continuous", equalTo(true)).body("versions.open", equalTo(1));
        upload("first good film", "first bad film", "second good film");

        given().contentType(ContentType.JSON).body("{\"maxLength\":32}").post("/datasets/" + DATASET + "/seal")
                .then().statusCode(200).body("state", equalTo("SEALED")).body("accepted", equalTo(3))
                .body("versions.open", equalTo(2)).body("versions.sealed[0].version", equalTo(1))
                .body("versions.sealed[0].accepted", equalTo(3)).body("versions.sealed[0].ended", equalTo(true));

        // Not refused as dataset-sealed: these are version 2's, over REST and straight onto the raw topic.
        upload("third good film", "third bad film");
        TopicTail.produce(kafka(), Topics.RAW_RECORDS, List.of(DATASET),
                List.of(bytes("{\"dataset\":\"" + DATASET + "\",\"text\":\"raw good film\",\"label\":\"pos\"}")));
        given().contentType(ContentType.JSON).body("{}").post("/datasets/" + DATASET + "/seal").then()
                .statusCode(409).body("detail", containsString("version 1 of dataset '" + DATASET
                        + "' is being prepared"));

        publishManifest(1);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().get("/datasets/" + DATASET).then().body("state", equalTo("PREPARED"))
                        .body("prepared.version", equalTo(1)).body("accepted", equalTo(6)));

        // Version 2 may not be prepared differently from version 1: refused whole, over REST and on the raw topic.
        given().contentType(ContentType.JSON).body("{\"maxLength\":64}").post("/datasets/" + DATASET + "/seal")
                .then().statusCode(409).contentType("application/problem+json")
                .body("detail", containsString("is continuous and its prepared versions were made with the options"));
        TopicTail.produce(kafka(), Topics.RAW_RECORDS, List.of(DATASET), List.of(bytes("{\"dataset\":\"" + DATASET
                + "\",\"end\":true,\"options\":{\"maxLength\":64,\"seed\":5}}")));
        try (TopicTail dead = new TopicTail(kafka(), Topics.DEAD_LETTERS)) {
            DeadLetter refused = dead.pollUntil(r -> TopicTail.text(r).contains("options-fixed"),
                            Duration.ofSeconds(30)).stream().map(r -> Json.read(TopicTail.text(r), DeadLetter.class))
                    .filter(d -> "options-fixed".equals(d.reason())).findFirst().orElseThrow();
            assertThat(refused.dataset()).isEqualTo(DATASET);
        }

        // {} takes version 1's options.
        given().contentType(ContentType.JSON).body("{}").post("/datasets/" + DATASET + "/seal").then()
                .statusCode(200).body("state", equalTo("SEALED"))
                .body("versions.open", equalTo(3)).body("versions.sealed[1].accepted", equalTo(6));
        // Version 2 is being prepared; version 1's manifest is shown meanwhile.
        given().get("/datasets/" + DATASET).then().body("state", equalTo("SEALED")).body("prepared.version", equalTo(1))
                .body("prepared.build", equalTo("v1"));

        try (TopicTail records = new TopicTail(kafka(), Topics.DATASET_RECORDS)) {
            List<DatasetRecord> ofSet = records.pollUntil(r -> DATASET.equals(r.key())
                            && TopicTail.text(r).contains("\"seal\":2"), Duration.ofSeconds(30)).stream()
                    .filter(r -> DATASET.equals(r.key()))
                    .map(r -> Json.read(TopicTail.text(r), DatasetRecord.class)).toList();
            assertThat(ofSet).extracting(DatasetRecord::kind).containsExactly(
                    DatasetRecord.Kind.RECORD, DatasetRecord.Kind.RECORD, DatasetRecord.Kind.RECORD,
                    DatasetRecord.Kind.END,
                    DatasetRecord.Kind.RECORD, DatasetRecord.Kind.RECORD, DatasetRecord.Kind.RECORD,
                    DatasetRecord.Kind.END);
            DatasetRecord first = ofSet.get(3);
            DatasetRecord second = ofSet.get(7);
            assertThat(first.endsVersion()).isTrue();
            assertThat(first.sealNumber()).isEqualTo(1);
            assertThat(first.accepted()).isEqualTo(3);
            assertThat(second.endsVersion()).isTrue();
            assertThat(second.sealNumber()).isEqualTo(2);
            assertThat(second.accepted()).isEqualTo(6);
            assertThat(second.options()).isEqualTo(first.options());
            assertThat(second.options().maxLength()).isEqualTo(32);
        }
    }

    @Test
    void aDatasetThatIsNotContinuousLooksAsItAlwaysDid() {
        given().contentType(ContentType.JSON).body("{\"name\":\"plain-set\"}").post("/datasets").then()
                .statusCode(201).body("definition", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasKey(
                        "continuous"))).body("$", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasKey("versions")))
                .body("prepared", nullValue());
        given().contentType("application/x-ndjson").body(bytes("{\"text\":\"ok\",\"label\":\"a\"}"))
                .post("/datasets/plain-set/records").then().statusCode(200);
        given().contentType(ContentType.JSON).body("{}").post("/datasets/plain-set/seal").then().statusCode(200);
        given().contentType("application/x-ndjson").body(bytes("{\"text\":\"late\",\"label\":\"a\"}"))
                .post("/datasets/plain-set/records").then().statusCode(409);
        try (TopicTail records = new TopicTail(kafka(), Topics.DATASET_RECORDS)) {
            String end = records.pollUntil(r -> "plain-set".equals(r.key()) && TopicTail.text(r).contains("\"END\""),
                            Duration.ofSeconds(30)).stream()
                    .filter(r -> "plain-set".equals(r.key()) && TopicTail.text(r).contains("\"END\"")).findFirst()
                    .map(TopicTail::text).orElseThrow();
            assertThat(end).doesNotContain("continuous");
        }
    }

    @Test
    void sealEveryNRecordsSealsTheNextVersionByItselfOnceTheLastOneIsPrepared() {
        String dataset = "every-three";
        given().contentType(ContentType.JSON).body("{\"name\":\"every-four\",\"sealEvery\":4}").post("/datasets")
                .then().statusCode(400).body("detail", containsString("not continuous"));
        given().contentType(ContentType.JSON).body("{\"name\":\"every-none\",\"continuous\":true,\"sealEvery\":0}")
                .post("/datasets").then().statusCode(400);
        given().contentType(ContentType.JSON).body("{\"name\":\"" + dataset + "\",\"continuous\":true,\"sealEvery\":3}")
                .post("/datasets").then().statusCode(201).body("definition.sealEvery", equalTo(3));
        uploadTo(dataset, "one", "two");
        org.awaitility.Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).untilAsserted(
                () -> given().get("/datasets/" + dataset).then().body("state", equalTo("OPEN")));
        uploadTo(dataset, "three");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().get("/datasets/" + dataset).then().body("state", equalTo("SEALED"))
                        .body("versions.sealed[0].accepted", equalTo(3)).body("versions.sealed[0].ended", equalTo(true)));

        uploadTo(dataset, "four", "five", "six"); // due, but version 1 is not prepared yet
        org.awaitility.Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).untilAsserted(
                () -> given().get("/datasets/" + dataset).then().body("versions.open", equalTo(2)));
        publishManifest(dataset, 1);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().get("/datasets/" + dataset).then().body("versions.open", equalTo(3))
                        .body("versions.sealed[1].accepted", equalTo(6)));
        try (TopicTail records = new TopicTail(kafka(), Topics.DATASET_RECORDS)) {
            List<DatasetRecord> ends = records.pollUntil(r -> dataset.equals(r.key())
                            && TopicTail.text(r).contains("\"seal\":2"), Duration.ofSeconds(30)).stream()
                    .filter(r -> dataset.equals(r.key()))
                    .map(r -> Json.read(TopicTail.text(r), DatasetRecord.class))
                    .filter(r -> r.kind() == DatasetRecord.Kind.END).toList();
            assertThat(ends).extracting(DatasetRecord::sealNumber).as("one END marker per version").containsExactly(1, 2);
            assertThat(ends).allMatch(DatasetRecord::endsVersion);
        }
    }

    private static void publishManifest(int version) {
        publishManifest(DATASET, version);
    }

    /** What preprocess-service publishes once a version is prepared (by hand: this test runs ingest alone). */
    private static void publishManifest(String dataset, int version) {
        CleaningReport report = new CleaningReport(List.of(new CleaningReport.Step("received", 3, 3, "all")),
                0, 0, 0, Map.of(), Map.of());
        ShardManifest manifest = new ShardManifest(ShardManifest.VERSION, dataset, "v" + version, List.of("neg", "pos"),
                Map.of("train", 1), Map.of("train", Map.of("neg", 1, "pos", 2)), "tok", "model", 32, "hash", report,
                null, version);
        org.apache.kafka.clients.producer.ProducerRecord<String, byte[]> record =
                new org.apache.kafka.clients.producer.ProducerRecord<>(Topics.SHARDS, dataset,
                        bytes(Json.write(manifest)));
        record.headers().add(Topics.HEADER_TYPE, bytes(ShardManifest.RECORD_TYPE));
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
}

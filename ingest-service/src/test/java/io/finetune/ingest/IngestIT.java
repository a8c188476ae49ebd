package io.finetune.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.finetune.contracts.DatasetRecord;
import io.finetune.contracts.DeadLetter;
import io.finetune.contracts.Json;
import io.finetune.contracts.Topics;
import io.finetune.kafka.local.LocalKafkaResource;
import io.finetune.kafka.local.TopicTail;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/** ingest-service against a real Kafka broker: REST and raw-topic intake, dead letters, seal, health, metrics. */
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

    @Test
    void healthAndMetricsAreServed() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().contentType(ContentType.JSON).body("{\"name\":\"metric-set\"}").post("/datasets").then().statusCode(201);
        given().contentType("application/x-ndjson").body(bytes("{\"text\":\"ok\",\"label\":\"a\"}\n[1]"))
                .post("/datasets/metric-set/records").then().statusCode(200);
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).containsPattern("finetune_ingest_records_total\\{.*outcome=\"accepted\".*} [1-9]");
        assertThat(metrics).containsPattern("finetune_ingest_records_total\\{.*outcome=\"rejected\",reason=\"not-an-object\".*} [1-9]");
        given().get("/q/openapi").then().statusCode(200).body(containsString("/datasets/{name}/records"));
    }
}

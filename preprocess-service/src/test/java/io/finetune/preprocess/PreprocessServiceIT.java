package io.finetune.preprocess;

import io.finetune.contracts.DatasetRecord;
import io.finetune.contracts.DatasetShards;
import io.finetune.contracts.DeadLetter;
import io.finetune.contracts.Json;
import io.finetune.contracts.PreparationFailed;
import io.finetune.contracts.PreprocessOptions;
import io.finetune.contracts.ShardManifest;
import io.finetune.contracts.ShardReader;
import io.finetune.contracts.TokenizedExample;
import io.finetune.contracts.Topics;
import io.finetune.distilbert.ModelResolver;
import io.finetune.distilbert.TextTokenizer;
import io.finetune.kafka.local.LocalKafkaResource;
import io.finetune.kafka.local.TopicTail;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static io.restassured.RestAssured.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** The whole service against a real Kafka broker: records in, shards and manifest out, dead letters for the rest. */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
class PreprocessServiceIT {
    private static String bootstrap() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    private static void produce(String dataset, List<String> values) {
        TopicTail.produce(bootstrap(), Topics.DATASET_RECORDS, values.stream().map(v -> dataset).toList(),
                values.stream().map(v -> v.getBytes(StandardCharsets.UTF_8)).toList());
    }

    private static void awaitState(String dataset, String state) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                when().get("/datasets/" + dataset).then().statusCode(200).body("state", equalTo(state)));
    }

    @Test
    void preparesADatasetIntoShardsAndAManifest(@TempDir Path models) throws Exception {
        String dataset = "it-reviews";
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            values.add(Json.write(DatasetRecord.record(dataset, "p" + i,
                    "Loved movie " + i + "!<br /><br />Truly great &amp; moving", "pos", null)));
            values.add(Json.write(DatasetRecord.record(dataset, "n" + i, "Hated movie " + i + ", a dull mess", "neg",
                    null)));
        }
        // An exact duplicate: of two equal texts the one with the smaller id (n3) is kept.
        values.add(Json.write(DatasetRecord.record(dataset, "x-dup", "Hated movie 3, a dull mess", "neg", null)));
        values.add(Json.write(DatasetRecord.record(dataset, "empty", "<br />  ", "pos", null)));
        values.add("{not json at all");
        int records = values.size() - 1;
        values.add(Json.write(DatasetRecord.end(dataset, records,
                new PreprocessOptions(null, 32, null, 0.1, 0.1, 9L), 1)));
        produce(dataset, values);

        awaitState(dataset, "READY");
        DatasetShards read = new ShardReader(Map.of("bootstrap.servers", bootstrap())).read(dataset).orElseThrow();
        ShardManifest manifest = read.manifest();
        assertThat(manifest.labels()).containsExactly("neg", "pos");
        assertThat(manifest.maxLength()).isEqualTo(32);
        assertThat(manifest.counts().get("train")).containsEntry("neg", 8).containsEntry("pos", 8);
        assertThat(manifest.counts().get("validation")).containsEntry("neg", 1).containsEntry("pos", 1);
        assertThat(manifest.counts().get("test")).containsEntry("neg", 1).containsEntry("pos", 1);
        assertThat(manifest.report().duplicatesRemoved()).isEqualTo(1);
        assertThat(manifest.report().emptyDropped()).isEqualTo(1);
        assertThat(read.split("train")).hasSize(16);
        assertThat(read.split("validation")).hasSize(2);
        assertThat(read.split("test")).hasSize(2);

        Map<String, TokenizedExample> byId = read.splits().values().stream().flatMap(List::stream)
                .collect(Collectors.toMap(TokenizedExample::id, Function.identity()));
        assertThat(byId).hasSize(20).doesNotContainKeys("x-dup", "empty");
        try (TextTokenizer tokenizer = TextTokenizer.load(
                new ModelResolver(models).resolve("distilbert-tiny"), 32)) {
            assertThat(byId.get("p4").inputIds())
                    .isEqualTo(tokenizer.encode("Loved movie 4! Truly great & moving").intIds());
            assertThat(byId.get("n2").inputIds()).isEqualTo(tokenizer.encode("Hated movie 2, a dull mess").intIds());
        }
        assertThat(byId.get("p4").label()).isEqualTo(1);
        assertThat(byId.get("n2").label()).isZero();

        given().when().get("/datasets/" + dataset).then()
                .body("received", equalTo(records))
                .body("manifest.build", equalTo(manifest.build()))
                .body("manifest.shards.train", equalTo(1))
                .body("report.duplicatesRemoved", equalTo(1));
        when().get("/datasets").then().statusCode(200).body("dataset", org.hamcrest.Matchers.hasItem(dataset));

        DeadLetter invalid = deadLetter("invalid-json");
        assertThat(invalid.service()).isEqualTo("preprocess-service");
        assertThat(invalid.payload()).isEqualTo("{not json at all");
        assertThat(invalid.origin()).startsWith("kafka:" + Topics.DATASET_RECORDS);

        String metrics = when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metric(metrics, "finetune_preprocess_records_total")).isGreaterThanOrEqualTo(values.size());
        assertThat(metric(metrics, "finetune_preprocess_shards_total")).isGreaterThanOrEqualTo(3);
        assertThat(metric(metrics, "finetune_preprocess_examples_total{split=\"train\"")).isGreaterThanOrEqualTo(16);
        assertThat(metrics).as("the consumer's own meters, which the dashboards chart")
                .contains("kafka_consumer_fetch_manager_records_lag_max");
    }

    @Test
    void aScratchDatasetPublishesItsOwnTokenizerWithTheShards(@TempDir Path tmp) throws Exception {
        String dataset = "it-scratch";
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            values.add(Json.write(DatasetRecord.record(dataset, "p" + i, "Splendid acting, splendid story " + i,
                    "pos", null)));
            values.add(Json.write(DatasetRecord.record(dataset, "n" + i, "Dreadful acting, dreadful story " + i,
                    "neg", null)));
        }
        values.add(Json.write(DatasetRecord.end(dataset, 20, new PreprocessOptions("scratch:100", 32, null, 0.1, 0.1,
                9L), 1)));
        produce(dataset, values);

        awaitState(dataset, "READY");
        DatasetShards read = new ShardReader(Map.of("bootstrap.servers", bootstrap())).read(dataset).orElseThrow();
        ShardManifest manifest = read.manifest();
        assertThat(manifest.model()).isEqualTo("scratch:100");
        assertThat(manifest.tokenizerArchive()).isNotNull();
        assertThat(read.tokenizerArchive()).hasSize((int) manifest.tokenizerArchive().bytes());
        Path files = read.writeTokenizer(tmp).orElseThrow();
        assertThat(Files.readAllLines(files.resolve("vocab.txt"))).hasSizeLessThanOrEqualTo(100)
                .startsWith("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]").contains("splendid", "dreadful");
        Map<String, TokenizedExample> byId = read.splits().values().stream().flatMap(List::stream)
                .collect(Collectors.toMap(TokenizedExample::id, Function.identity()));
        assertThat(byId).hasSize(20);
        try (TextTokenizer tokenizer = TextTokenizer.load(files, 32)) {
            assertThat(byId.get("p4").inputIds()).isEqualTo(tokenizer.encode("Splendid acting, splendid story 4").intIds());
        }
        when().get("/datasets/" + dataset).then().body("manifest.tokenizerArchive.sha256",
                equalTo(manifest.tokenizerArchive().sha256()));
    }

    @Test
    void aRepeatedEndMarkerLeavesAPreparedDatasetAsItWas() {
        String dataset = "it-repeated-end";
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            values.add(Json.write(DatasetRecord.record(dataset, "p" + i, "A wonderful film, number " + i, "pos", null)));
            values.add(Json.write(DatasetRecord.record(dataset, "n" + i, "A dreadful film, number " + i, "neg", null)));
        }
        String end = Json.write(DatasetRecord.end(dataset, 20L, null, 1));
        values.add(end);
        produce(dataset, values);
        awaitState(dataset, "READY");
        String build = given().when().get("/datasets/" + dataset).then().extract().path("manifest.build");

        // What ingest sends again after a crash cut its seal short, or Kafka redelivers after one here. Before the
        // fix, the repeat found the spool discarded and failed the dataset within a second.
        produce(dataset, List.of(end));
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> given().when().get("/datasets/" + dataset).then().body("state", equalTo("READY"))
                        .body("manifest.build", equalTo(build)).body("received", equalTo(20)));
        try (TopicTail shards = new TopicTail(bootstrap(), Topics.SHARDS)) {
            long manifests = shards.poll(Duration.ofSeconds(2)).stream()
                    .filter(r -> dataset.equals(r.key()) && "manifest".equals(header(r))).count();
            assertThat(manifests).as("manifests published for the dataset").isEqualTo(1);
        }
    }

    @Test
    void aRecordBehindItsEndMarkerIsADeadLetterAndHoldsNoOffsetBack() throws Exception {
        String dataset = "it-behind-end";
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            values.add(Json.write(DatasetRecord.record(dataset, "p" + i, "A wonderful film, number " + i, "pos", null)));
            values.add(Json.write(DatasetRecord.record(dataset, "n" + i, "A dreadful film, number " + i, "neg", null)));
        }
        values.add(Json.write(DatasetRecord.end(dataset, 20L, null, 1)));
        // What a seal that overtook an upload leaves behind its END marker: ingest told the client it was refused.
        values.add(Json.write(DatasetRecord.record(dataset, "late", "A late film", "pos", null)));
        produce(dataset, values);
        awaitState(dataset, "READY");

        try (TopicTail tail = new TopicTail(bootstrap(), Topics.DEAD_LETTERS)) {
            DeadLetter late = tail.pollUntil(r -> TopicTail.text(r).contains("record 'late' of dataset " + dataset),
                            Duration.ofSeconds(30)).stream().map(r -> Json.read(TopicTail.text(r), DeadLetter.class))
                    .filter(d -> dataset.equals(d.dataset())).findFirst()
                    .orElseThrow(() -> new AssertionError("no dead letter for the record behind the END marker"));
            assertThat(late.reason()).isEqualTo("dataset-sealed");
            assertThat(late.detail()).contains("arrived after its END marker");
        }
        // Before the fix the record was spooled: an open dataset no END marker would close, holding the partition's
        // committed offset at it for good (every later owner would read the partition again from there).
        long lateOffset;
        int partition;
        try (TopicTail records = new TopicTail(bootstrap(), Topics.DATASET_RECORDS)) {
            ConsumerRecord<String, byte[]> record = records.pollUntil(r -> dataset.equals(r.key())
                    && TopicTail.text(r).contains("\"late\""), Duration.ofSeconds(10)).stream()
                    .filter(r -> dataset.equals(r.key()) && TopicTail.text(r).contains("\"late\"")).findFirst()
                    .orElseThrow();
            lateOffset = record.offset();
            partition = record.partition();
        }
        String group = ConfigProvider.getConfig().getValue("preprocess.group-id", String.class);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                OffsetAndMetadata committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                        .get().get(new TopicPartition(Topics.DATASET_RECORDS, partition));
                assertThat(committed).isNotNull();
                assertThat(committed.offset()).as("committed offset of partition %d", partition)
                        .isGreaterThan(lateOffset);
            });
        }
    }

    @Test
    void aFailedSealSaysWhyOnTheShardsTopicAndASecondSealPreparesTheSameRecords() {
        String dataset = "it-sealed-again";
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            values.add(Json.write(DatasetRecord.record(dataset, "p" + i, "A wonderful film, number " + i, "pos", null)));
            values.add(Json.write(DatasetRecord.record(dataset, "n" + i, "A dreadful film, number " + i, "neg", null)));
        }
        // Valid alone, as ingest checks it; beside this service's default validationFraction (0.1) nothing is left.
        values.add(Json.write(DatasetRecord.end(dataset, 20, new PreprocessOptions(null, 32, null, null, 0.95, 9L), 1)));
        produce(dataset, values);
        awaitState(dataset, "FAILED");
        when().get("/datasets/" + dataset).then().body("reason", equalTo("invalid-options"))
                .body("detail", containsString("testFraction 0.95"));
        ShardReader reader = new ShardReader(Map.of("bootstrap.servers", bootstrap()));
        PreparationFailed failed = (PreparationFailed) reader.latestOutcome(dataset).orElseThrow();
        assertThat(failed.seal()).isEqualTo(1);
        assertThat(failed.reason()).isEqualTo("invalid-options");
        assertThat(failed.detail()).contains("validationFraction 0.1 and testFraction 0.95");

        // ingest's second seal: an END marker with corrected options and the next seal number, no records again.
        produce(dataset, List.of(Json.write(DatasetRecord.end(dataset, 20,
                new PreprocessOptions(null, 32, null, 0.1, 0.1, 9L), 2))));
        awaitState(dataset, "READY");
        assertThat(reader.latestOutcome(dataset).orElseThrow()).isInstanceOf(ShardManifest.class);
        DatasetShards read = reader.read(dataset).orElseThrow();
        List<String> ids = read.splits().values().stream().flatMap(List::stream).map(TokenizedExample::id).toList();
        assertThat(ids).hasSize(20).doesNotHaveDuplicates()
                .containsAll(List.of("p0", "p9", "n0", "n9"));
        when().get("/datasets/" + dataset).then().body("received", equalTo(20))
                .body("report.steps[0].detail", equalTo("all 20 records ingest accepted"));
    }

    private static String header(ConsumerRecord<String, byte[]> record) {
        org.apache.kafka.common.header.Header type = record.headers().lastHeader(Topics.HEADER_TYPE);
        return type == null ? null : new String(type.value(), StandardCharsets.UTF_8);
    }

    @Test
    void aSingleClassDatasetFailsWithAReason() {
        String dataset = "it-one-class";
        produce(dataset, List.of(
                Json.write(DatasetRecord.record(dataset, "a", "only positive", "pos", null)),
                Json.write(DatasetRecord.record(dataset, "b", "still positive", "pos", null)),
                Json.write(DatasetRecord.end(dataset, 2, PreprocessOptions.defaults(), 1))));
        awaitState(dataset, "FAILED");
        when().get("/datasets/" + dataset).then().body("reason", equalTo("too-few-classes"));
        assertThat(deadLetter("too-few-classes").dataset()).isEqualTo(dataset);
    }

    @Test
    void anUnknownDatasetIsAProblem() {
        when().get("/datasets/nope").then().statusCode(404)
                .contentType(containsString("application/problem+json"))
                .body("status", equalTo(404)).body("detail", containsString("nope"));
        when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    private static DeadLetter deadLetter(String reason) {
        try (TopicTail tail = new TopicTail(bootstrap(), Topics.DEAD_LETTERS)) {
            List<ConsumerRecord<String, byte[]>> seen = tail.pollUntil(
                    r -> TopicTail.text(r).contains("\"reason\":\"" + reason + "\""), Duration.ofSeconds(30));
            return seen.stream().map(r -> Json.read(TopicTail.text(r), DeadLetter.class))
                    .filter(d -> reason.equals(d.reason())).findFirst()
                    .orElseThrow(() -> new AssertionError("no dead letter with reason " + reason));
        }
    }

    /** The value of the first Prometheus sample whose line starts with {@code prefix}. */
    private static double metric(String exposition, String prefix) {
        return exposition.lines().filter(l -> l.startsWith(prefix)).findFirst()
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .orElseThrow(() -> new AssertionError("no metric " + prefix + " in\n" + exposition));
    }
}

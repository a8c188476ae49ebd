package io.finetune.preprocess;

import io.finetune.contracts.DatasetRecord;
import io.finetune.contracts.Json;
import io.finetune.contracts.PreprocessOptions;
import io.finetune.contracts.ShardManifest;
import io.finetune.contracts.Topics;
import io.finetune.kafka.local.LocalKafka;
import io.finetune.kafka.local.LocalKafkaResource;
import io.finetune.kafka.local.TopicTail;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.ConsumerGroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.restassured.RestAssured.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * The HPA scales preprocess 1 → 2 → 1 while three datasets (one per partition) are being received: this test's
 * Quarkus instance is the first replica, the packaged service started as a second process is the other one. Every
 * dataset must be prepared from exactly the records sent, and the second replica must leave no spool behind.
 * Before the fix a moved dataset was prepared short: "received" 200 of 300.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
class ScaleOutIT {
    private static final int PER_PHASE = 100;

    /** The service's consumer group in tests (application.properties), which the second replica joins too. */
    private static String group() {
        return ConfigProvider.getConfig().getValue("preprocess.group-id", String.class);
    }

    private static String bootstrap() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    @Test
    void scalingOutAndInDuringADatasetPreparesEveryRecordOnce() throws Exception {
        Path work = Files.createDirectories(Path.of("target/scale-out-it")).toAbsolutePath(); // its log stays for reading
        io.finetune.contracts.Directories.delete(work.resolve("second-replica"));
        List<String> datasets = onePerPartition("scale-");
        send(datasets, 0);
        // Behind each unfinished dataset, one that is sealed and prepared at once: a new owner reads it again (the
        // watermark is below it) but must not prepare it again.
        List<String> finished = onePerPartition("done-");
        List<String> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        for (String dataset : finished) {
            for (int i = 0; i < 20; i++) {
                keys.add(dataset);
                values.add(record(dataset, i));
            }
            keys.add(dataset);
            values.add(Json.write(DatasetRecord.end(dataset, 20, new PreprocessOptions(null, 32, null, 0.1, 0.1, 9L),
                    1)).getBytes(StandardCharsets.UTF_8));
        }
        TopicTail.produce(bootstrap(), Topics.DATASET_RECORDS, keys, values);
        for (String dataset : finished) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300)).untilAsserted(() ->
                    when().get("/datasets/" + dataset).then().statusCode(200).body("state", equalTo("READY")));
        }
        for (String dataset : datasets) { // the first replica owns every partition and has spooled phase one
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).untilAsserted(() ->
                    when().get("/datasets/" + dataset).then().statusCode(200).body("received", equalTo(PER_PHASE)));
        }

        Path secondData = work.resolve("second-replica");
        Process second = startSecondReplica(work, secondData);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
            awaitMembers(admin, 2);
            send(datasets, 1);
            // The second replica took at least one partition and has spooled up to its end (phase two included).
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() ->
                    spooledToTheEnd(admin, secondData.resolve("spool")));
        } finally {
            second.destroy(); // SIGTERM: what the HPA's scale-in does to a pod
            if (!second.waitFor(60, TimeUnit.SECONDS)) {
                second.destroyForcibly();
            }
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
            awaitMembers(admin, 1);
        }
        send(datasets, 2);

        for (String dataset : datasets) {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    when().get("/datasets/" + dataset).then().statusCode(200).body("state", equalTo("READY")));
            when().get("/datasets/" + dataset).then()
                    .body("received", equalTo(3 * PER_PHASE))
                    .body("report.steps[0].detail", equalTo("all " + 3 * PER_PHASE + " records ingest accepted"));
            Map<String, Map<String, Integer>> counts = when().get("/datasets/" + dataset).then().extract()
                    .path("manifest.counts");
            int examples = counts.values().stream().flatMap(m -> m.values().stream()).mapToInt(Integer::intValue)
                    .sum();
            assertThat(examples).as("examples in the manifest of " + dataset).isEqualTo(3 * PER_PHASE);
        }
        try (TopicTail shards = new TopicTail(bootstrap(), Topics.SHARDS)) {
            Map<String, Long> manifests = shards.poll(Duration.ofSeconds(3)).stream()
                    .filter(r -> finished.contains(r.key()) && isManifest(r))
                    .collect(Collectors.groupingBy(r -> r.key(), Collectors.counting()));
            assertThat(manifests).as("manifests of the datasets finished before the rebalances")
                    .isEqualTo(finished.stream().collect(Collectors.toMap(d -> d, d -> 1L)));
        }
        try (Stream<Path> left = Files.exists(secondData.resolve("spool"))
                ? Files.list(secondData.resolve("spool")) : Stream.empty()) {
            assertThat(left.toList()).as("spools the second replica left behind").isEmpty();
        }
    }

    /**
     * A failed dataset's spool goes with its partition; sealed again afterwards (with options that work), it is read
     * again from Kafka and prepared from all of its records, not failed as short.
     */
    @Test
    void aFailedDatasetSealedAgainAfterItsPartitionMovedIsPreparedFromAllItsRecords() throws Exception {
        Path work = Files.createDirectories(Path.of("target/scale-out-it")).toAbsolutePath();
        io.finetune.contracts.Directories.delete(work.resolve("second-replica-2"));
        List<String> datasets = onePerPartition("failed-then-moved-");
        List<String> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        for (String dataset : datasets) {
            for (int i = 0; i < PER_PHASE; i++) {
                keys.add(dataset);
                values.add(record(dataset, i));
            }
            keys.add(dataset); // valid alone, but beside the default validation fraction nothing is left to train on
            values.add(Json.write(DatasetRecord.end(dataset, PER_PHASE,
                    new PreprocessOptions(null, 32, null, null, 0.95, 9L), 1)).getBytes(StandardCharsets.UTF_8));
        }
        TopicTail.produce(bootstrap(), Topics.DATASET_RECORDS, keys, values);
        for (String dataset : datasets) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300)).untilAsserted(() ->
                    when().get("/datasets/" + dataset).then().statusCode(200).body("state", equalTo("FAILED")));
        }

        Process second = startSecondReplica(work, work.resolve("second-replica-2"));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
            awaitMembers(admin, 2); // the second replica took a partition, and with it a failed dataset
        } finally {
            second.destroy();
            if (!second.waitFor(60, TimeUnit.SECONDS)) {
                second.destroyForcibly();
            }
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
            awaitMembers(admin, 1);
        }

        keys.clear();
        values.clear();
        for (String dataset : datasets) { // ingest's second seal: the next seal number, no records again
            keys.add(dataset);
            values.add(Json.write(DatasetRecord.end(dataset, PER_PHASE,
                    new PreprocessOptions(null, 32, null, 0.1, 0.1, 9L), 2)).getBytes(StandardCharsets.UTF_8));
        }
        TopicTail.produce(bootstrap(), Topics.DATASET_RECORDS, keys, values);
        for (String dataset : datasets) {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    when().get("/datasets/" + dataset).then().statusCode(200).body("state", equalTo("READY")));
            when().get("/datasets/" + dataset).then().body("received", equalTo(PER_PHASE))
                    .body("report.steps[0].detail", equalTo("all " + PER_PHASE + " records ingest accepted"));
        }
    }

    /** Dataset names whose records land on partitions 0, 1 and 2 (Kafka's default partitioner hashes the key). */
    static List<String> onePerPartition(String prefix) {
        String[] names = new String[3];
        for (int i = 0; Stream.of(names).anyMatch(n -> n == null); i++) {
            String name = prefix + i;
            int partition = Utils.toPositive(Utils.murmur2(name.getBytes(StandardCharsets.UTF_8))) % 3;
            if (names[partition] == null) {
                names[partition] = name;
            }
        }
        return List.of(names);
    }

    /** Phase 0 and 1: a third of each dataset's records; phase 2: the last third and the END marker. */
    private static void send(List<String> datasets, int phase) {
        List<String> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        for (String dataset : datasets) {
            for (int i = phase * PER_PHASE; i < (phase + 1) * PER_PHASE; i++) {
                keys.add(dataset);
                values.add(record(dataset, i));
            }
            if (phase == 2) {
                keys.add(dataset);
                values.add(Json.write(DatasetRecord.end(dataset, 3 * PER_PHASE,
                        new PreprocessOptions(null, 32, null, 0.1, 0.1, 9L), 1)).getBytes(StandardCharsets.UTF_8));
            }
        }
        TopicTail.produce(bootstrap(), Topics.DATASET_RECORDS, keys, values);
    }

    static boolean isManifest(org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> record) {
        org.apache.kafka.common.header.Header type = record.headers().lastHeader(Topics.HEADER_TYPE);
        return type != null && ShardManifest.RECORD_TYPE.equals(new String(type.value(), StandardCharsets.UTF_8));
    }

    private static byte[] record(String dataset, int i) {
        String label = i % 2 == 0 ? "pos" : "neg";
        String text = (i % 2 == 0 ? "A wonderful film, review " : "A dreadful film, review ") + i;
        return Json.write(DatasetRecord.record(dataset, "r" + i, text, label, null)).getBytes(StandardCharsets.UTF_8);
    }

    /** The packaged service (target/quarkus-app), on its own port and data directory, in this test's group. */
    static Process startSecondReplica(Path work, Path dataDir) throws Exception {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        assertThat(jar).as("the packaged service (mvn package runs before the ITs)").isRegularFile();
        int port = LocalKafka.freePort();
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Dai.djl.offline=true",
                "-Dquarkus.http.port=" + port,
                "-Dkafka.bootstrap.servers=" + bootstrap(),
                "-Dkafka.session.timeout.ms=10000",
                "-Dpreprocess.data-dir=" + dataDir,
                "-Dpreprocess.group-id=" + group(),
                "-Dfinetune.auth.enabled=false",
                "-jar", jar.toAbsolutePath().toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("second-replica.log").toFile()).start();
        HttpClient http = HttpClient.newHttpClient();
        URI ready = URI.create("http://localhost:" + port + "/q/health/ready");
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("the second replica exited " + process.exitValue() + ":\n"
                        + Files.readString(work.resolve("second-replica.log")));
            }
            try {
                return http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
        return process;
    }

    static void awaitMembers(Admin admin, int members) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() -> {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(group())).all().get().get(group());
            return group.state() == ConsumerGroupState.STABLE && group.members().size() == members
                    && group.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty());
        });
    }

    /** Whether the replica has spooled some dataset, each up to the last record of its partition. */
    private static boolean spooledToTheEnd(Admin admin, Path spoolDir) throws Exception {
        if (!Files.isDirectory(spoolDir)) {
            return false;
        }
        List<Path> spools;
        try (Stream<Path> files = Files.list(spoolDir)) {
            spools = files.filter(f -> f.toString().endsWith(".jsonl")).toList();
        }
        if (spools.isEmpty()) {
            return false;
        }
        Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
        for (int p = 0; p < 3; p++) {
            latest.put(new TopicPartition(Topics.DATASET_RECORDS, p), OffsetSpec.latest());
        }
        Map<Integer, Long> ends = admin.listOffsets(latest).all().get().entrySet().stream()
                .collect(Collectors.toMap(e -> e.getKey().partition(), e -> e.getValue().offset()));
        for (Path spool : spools) {
            List<String> lines = Files.readAllLines(spool);
            if (lines.isEmpty()) {
                return false;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> last = Json.read(lines.get(lines.size() - 1), Map.class);
            int partition = ((Number) last.get("p")).intValue();
            long offset = ((Number) last.get("o")).longValue();
            if (offset != ends.get(partition) - 1) {
                return false;
            }
        }
        return true;
    }
}

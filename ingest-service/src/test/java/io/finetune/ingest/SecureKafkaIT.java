package io.finetune.ingest;

import io.finetune.contracts.CleaningReport;
import io.finetune.contracts.DatasetRecord;
import io.finetune.contracts.Json;
import io.finetune.contracts.ShardManifest;
import io.finetune.contracts.KafkaAccess;
import io.finetune.contracts.Topics;
import io.finetune.kafka.local.LocalKafka;
import io.finetune.kafka.local.SecureAccess;
import io.finetune.kafka.local.Security;
import io.finetune.kafka.local.TopicTail;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * The packaged ingest-service (target/quarkus-app, what its image runs) against a broker that only lets in SCRAM
 * logins over SASL_SSL, configured as docker compose and Kubernetes configure it: {@code KAFKA_*} environment
 * variables, the JAAS line with the password among them. The broker authorizes: the service logs in as its own user,
 * finetune-ingest, with exactly the ACLs contracts' KafkaAccess grants it, so every Kafka client of the service (the
 * channels, the registry log, the seal markers and the shard reader behind a dataset's status) must get by with
 * them; and its log must not show the secrets even with the Kafka clients' configuration dumps switched on.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecureKafkaIT {
    @TempDir
    static Path tmp;
    private static LocalKafka kafka;
    private static SecureAccess access;
    private static Process service;
    private static Path log;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        // Authorizing as the secured overlays do: every KafkaAccess user with exactly its ACLs.
        Security security = Security.builder().authorization()
                .scramUsers(KafkaAccess.all().stream().map(KafkaAccess.Grant::user).toList()).build();
        kafka = LocalKafka.secured(tmp.resolve("kafka"), security).start().ensureTopics();
        access = kafka.access();
        KafkaAccess.all().forEach(g -> kafka.grant(g.bindings(KafkaAccess.scramPrincipal(g.user()))));
        port = LocalKafka.freePort();
        log = tmp.resolve("ingest-service.log");
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        assertThat(jar).as("the packaged service (mvn package runs before the ITs)").isRegularFile();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-Djava.io.tmpdir=" + Files.createDirectories(tmp.resolve("service")),
                "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment());
        service = builder.start();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
            assertThat(service.isAlive()).as("ingest-service exited; its log:\n%s", Files.readString(log)).isTrue();
            try {
                return api().get("/q/health/ready").statusCode() == 200;
            } catch (Exception notListeningYet) {
                return false;
            }
        });
    }

    /** Client settings as environment variables, the way Quarkus maps them back: KAFKA_SASL_JAAS_CONFIG and so on. */
    private static Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        access.scramClient(KafkaAccess.INGEST).forEach((key, value) ->
                env.put("KAFKA_" + key.toUpperCase(Locale.ROOT).replace('.', '_'), value.toString()));
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        // Kafka clients print their configuration at INFO, which Quarkus hides by default: show it, to see the
        // secrets are masked there too.
        env.put("QUARKUS_LOG_CATEGORY__ORG_APACHE_KAFKA_CLIENTS__LEVEL", "INFO");
        env.put("QUARKUS_LOG_CATEGORY__ORG_APACHE_KAFKA_COMMON_CONFIG__LEVEL", "INFO");
        // What is tested here is Kafka; the REST API's own login is another test's subject.
        env.put("FINETUNE_AUTH_ENABLED", "false");
        return env;
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (service != null) {
            service.destroy();
            if (!service.waitFor(20, TimeUnit.SECONDS)) {
                service.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (kafka != null) {
            kafka.stop();
        }
    }

    private static RequestSpecification api() {
        return given().baseUri("http://127.0.0.1").port(port);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @Order(1)
    void recordsFlowOverRestAndTheRawTopicAndThePreparedStatusIsRead() {
        api().contentType(ContentType.JSON).body("{\"name\":\"secure-set\",\"labels\":[\"pos\",\"neg\"]}")
                .post("/datasets").then().statusCode(201);
        api().contentType("application/x-ndjson").body(bytes("{\"text\":\"a fine film\",\"label\":\"pos\"}"))
                .post("/datasets/secure-set/records").then().statusCode(200).body("accepted", equalTo(1));
        api().contentType(ContentType.JSON).body("{}").post("/datasets/secure-set/seal").then().statusCode(200);
        // Raw records as a person pushes them with kcat: as the raw producer, who may write nothing else.
        TopicTail.produce(access.scramClient(KafkaAccess.RAW_PRODUCER), Topics.RAW_RECORDS, List.of("secure-raw", "secure-raw"), List.of(
                bytes("{\"dataset\":\"secure-raw\",\"text\":\"loved it\",\"label\":\"pos\"}"),
                bytes("{\"dataset\":\"secure-raw\",\"end\":true}")));

        try (TopicTail records = new TopicTail(access.adminClient(), Topics.DATASET_RECORDS)) {
            records.pollUntil(r -> isEnd(r, "secure-set"), Duration.ofSeconds(60));
            List<DatasetRecord> ends = records.pollUntil(r -> isEnd(r, "secure-raw"), Duration.ofSeconds(60)).stream()
                    .filter(r -> isEnd(r, "secure-set") || isEnd(r, "secure-raw"))
                    .map(r -> Json.read(TopicTail.text(r), DatasetRecord.class)).toList();
            assertThat(ends).extracting(DatasetRecord::dataset, DatasetRecord::accepted)
                    .containsExactlyInAnyOrder(tuple("secure-set", 1L), tuple("secure-raw", 1L));
        }

        publishManifest("secure-set");
        api().get("/datasets/secure-set").then().statusCode(200)
                .body("state", equalTo("PREPARED")).body("prepared.build", equalTo("b-secure"));
    }

    @Test
    @Order(2)
    void noSecretReachesTheLog() throws Exception {
        String output = Files.readString(log);
        // The channels' and the shard reader's clients printed their whole configuration, the secrets' keys too.
        assertThat(output).contains("ConsumerConfig values:", "ProducerConfig values:", "Successfully logged in",
                "sasl.jaas.config = [hidden]", "ssl.truststore.password = [hidden]");
        assertThat(output).doesNotContain(access.security().password(KafkaAccess.INGEST))
                .doesNotContain(access.tls().password());
    }

    private static boolean isEnd(ConsumerRecord<String, byte[]> record, String dataset) {
        return dataset.equals(record.key()) && TopicTail.text(record).contains("\"END\"");
    }

    /** What preprocess-service publishes after the last shard; here by hand, logged in as preprocess. */
    private static void publishManifest(String dataset) {
        CleaningReport report = new CleaningReport(List.of(), 0, 0, 0, Map.of(), Map.of());
        ShardManifest manifest = new ShardManifest(ShardManifest.VERSION, dataset, "b-secure", List.of("pos", "neg"),
                Map.of("train", 1), Map.of("train", Map.of("pos", 1)), "tok", "model", 64, "hash", report);
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.SHARDS, dataset,
                bytes(Json.write(manifest)));
        record.headers().add(Topics.HEADER_TYPE, bytes("manifest"));
        Properties props = new Properties();
        props.putAll(access.scramClient(KafkaAccess.PREPROCESS));
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException("could not publish the manifest", e);
        }
    }
}

package io.finetune.trainer;

import io.finetune.contracts.Directories;
import io.finetune.contracts.TopicAdmin;
import io.finetune.kafka.local.LocalKafka;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A REST call that needs Kafka while the broker is away: the packaged trainer, its client timeout shortened to
 * {@value #API_TIMEOUT_MS} ms, looks a dataset up on the shards topic for POST /jobs. The answer must be a 503 problem
 * that says Kafka did not answer, with Retry-After, not a bare 500, and the REST API must stay up for what needs no
 * broker.
 */
class KafkaAwayIT {
    private static final String DATASET = "kafka-away-it-reviews";
    private static final int API_TIMEOUT_MS = 4000;
    private static Path work;
    private static LocalKafka kafka;
    private static Process trainer;

    @BeforeAll
    static void brokerAndDataset() throws Exception {
        work = Files.createTempDirectory("kafka-away-it-");
        kafka = LocalKafka.onFreePort(work.resolve("kafka")).start();
        TopicAdmin.ensureTopics(Map.of("bootstrap.servers", kafka.bootstrapServers()), (short) 1);
        ReviewData.ofDemoModel(DATASET, work.resolve("model"), 40, 8, 3).publish(kafka.bootstrapServers());
    }

    @AfterAll
    static void stopAll() {
        if (trainer != null) {
            trainer.destroyForcibly();
        }
        if (kafka != null) {
            kafka.stop();
        }
        if (work != null) {
            Directories.delete(work);
        }
    }

    @Test
    void aJobSubmittedWhileTheBrokerIsAwayIsA503ThatSaysWhy() throws Exception {
        String url = start();
        kafka.stop();

        long started = System.nanoTime();
        Response answer = given().baseUri(url).contentType(ContentType.JSON).body("""
                        {"dataset": "%s", "baseModel": "distilbert-tiny", "hyperparameters": {"epochs": 1}}"""
                        .formatted(DATASET))
                .post("/jobs");
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(503);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.header("Retry-After")).isEqualTo("10");
        assertThat(answer.jsonPath().getString("detail")).startsWith("Kafka did not answer in time (TimeoutException")
                .endsWith("try again in a moment");
        assertThat(took).as("the client's timeout, not a hang").isLessThan(Duration.ofSeconds(30));
        given().baseUri(url).get("/jobs").then().statusCode(200);
    }

    /** The packaged trainer (target/quarkus-app, built by the package phase before the ITs). */
    private static String start() throws IOException {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath();
        assertThat(jar).as("trainer-service is packaged before its ITs run").isRegularFile();
        int port = LocalKafka.freePort();
        Path log = Path.of("target/kafka-away-it/trainer.log");
        Files.createDirectories(log.getParent());
        Files.createDirectories(work.resolve("tmp"));
        trainer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Dai.djl.offline=true", "-Dai.djl.default_engine=PyTorch",
                "-Djava.io.tmpdir=" + work.resolve("tmp"), "-Dquarkus.http.port=" + port,
                "-Dkafka.bootstrap.servers=" + kafka.bootstrapServers(),
                "-Dkafka.default.api.timeout.ms=" + API_TIMEOUT_MS, "-Dkafka.request.timeout.ms=" + API_TIMEOUT_MS / 2,
                "-Dtrainer.data-dir=" + work.resolve("trainer"), "-Dfinetune.auth.enabled=false",
                "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
        String url = "http://127.0.0.1:" + port;
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(300)).until(() -> {
            if (!trainer.isAlive()) {
                throw new IllegalStateException("the trainer exited with " + trainer.exitValue() + ": "
                        + Files.readString(log));
            }
            try {
                return given().baseUri(url).get("/q/health/ready").statusCode() == 200;
            } catch (Exception notListeningYet) {
                return false;
            }
        });
        return url;
    }
}

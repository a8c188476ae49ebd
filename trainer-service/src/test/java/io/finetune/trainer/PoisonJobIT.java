package io.finetune.trainer;

import io.finetune.contracts.Directories;
import io.finetune.contracts.Json;
import io.finetune.contracts.TopicAdmin;
import io.finetune.contracts.Topics;
import io.finetune.contracts.TrainingProgress;
import io.finetune.kafka.local.LocalKafka;
import io.finetune.kafka.local.TopicTail;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A job that kills the trainer whenever it runs (what running out of memory or a native crash does) must not take
 * every job queued behind it down with it. The packaged trainer runs as a process of its own on a real broker; the
 * poison job is killed with SIGKILL while it trains, {@value #MAX_ATTEMPTS} times, the trainer started again on the
 * same data directory each time. The next start must end the job FAILED, saying it crashed the trainer twice and
 * when, and run the job queued behind it.
 */
class PoisonJobIT {
    private static final int MAX_ATTEMPTS = 2;
    private static final String DATASET = "poison-it-reviews";
    private static final Duration READY = Duration.ofMinutes(2);
    private static Path work;
    private static LocalKafka kafka;
    private static Process trainer;
    private static int starts;

    @BeforeAll
    static void brokerAndDataset() throws Exception {
        work = Files.createTempDirectory("poison-job-it-");
        kafka = LocalKafka.onFreePort(work.resolve("kafka")).start();
        TopicAdmin.ensureTopics(Map.of("bootstrap.servers", kafka.bootstrapServers()), (short) 1);
        ReviewData.ofDemoModel(DATASET, work.resolve("model"), 320, 32, 3).publish(kafka.bootstrapServers());
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
    void aJobThatCrashesTheTrainerMaxAttemptsTimesFailsWithTheReasonAndTheQueueMovesOn() throws Exception {
        String url = start();
        // 320 reviews in batches of 8 for 500 epochs: never done before it is killed. The next job is short.
        String poison = submit(url, "{\"epochs\": 500, \"batchSize\": 8, \"maxLength\": 64}");
        String next = submit(url, "{\"epochs\": 1, \"batchSize\": 16, \"maxLength\": 64}");

        List<String> attemptsStarted = new ArrayList<>();
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            String running = url;
            await().atMost(READY).pollInterval(Duration.ofMillis(200)).until(() -> {
                JsonPath status = status(running, poison); // running, and not still the attempt killed before
                return "RUNNING".equals(status.getString("state"))
                        && !attemptsStarted.contains(status.getString("startedAt"));
            });
            JsonPath status = status(url, poison);
            attemptsStarted.add(status.getString("startedAt"));
            assertThat(status.getInt("attempts")).as("counted before training began").isEqualTo(attempt);
            assertThat(status(url, next).getString("state")).isEqualTo("QUEUED");
            kill();
            url = start();
        }

        String restarted = url;
        await().atMost(READY).pollInterval(Duration.ofMillis(500)).until(() ->
                "FAILED".equals(status(restarted, poison).getString("state")));
        JsonPath failed = status(url, poison);
        assertThat(failed.getString("message"))
                .startsWith("crashed the trainer 2 times (attempts started at ")
                .contains(String.join(", ", attemptsStarted.stream().map(PoisonJobIT::instant).toList()))
                .contains("so it is not run again (trainer.max-attempts=2)")
                .contains("lower batchSize or maxLength");
        assertThat(failed.getList("crashes")).hasSize(MAX_ATTEMPTS);
        assertThat(failed.getInt("attempts")).isEqualTo(MAX_ATTEMPTS);

        await().atMost(READY).pollInterval(Duration.ofSeconds(1)).until(() ->
                "COMPLETED".equals(status(restarted, next).getString("state")));

        try (TopicTail progress = new TopicTail(kafka.bootstrapServers(), Topics.PROGRESS)) {
            List<TrainingProgress> events = progress.pollUntil(r -> next.equals(r.key())
                            && TopicTail.text(r).contains("COMPLETED"), Duration.ofSeconds(30)).stream()
                    .map(r -> Json.read(TopicTail.text(r), TrainingProgress.class)).toList();
            assertThat(events).filteredOn(e -> e.jobId().equals(poison) && e.stage() == TrainingProgress.Stage.FAILED)
                    .extracting(TrainingProgress::message).singleElement().asString()
                    .startsWith("crashed the trainer 2 times");
        }
    }

    /** Jackson writes an Instant as "2026-...Z" and Instant.toString the same, trailing zeros of the nanos dropped. */
    private static String instant(String json) {
        return java.time.Instant.parse(json).toString();
    }

    private static String submit(String url, String hyperparameters) {
        return given().baseUri(url).contentType(ContentType.JSON).body("""
                        {"dataset": "%s", "baseModel": "distilbert-tiny", "hyperparameters": %s}"""
                        .formatted(DATASET, hyperparameters))
                .post("/jobs").then().statusCode(202).extract().path("jobId");
    }

    private static JsonPath status(String url, String jobId) {
        return given().baseUri(url).get("/jobs/" + jobId).then().statusCode(200).extract().jsonPath();
    }

    /** The packaged trainer (target/quarkus-app, built by the package phase before the ITs) on the same data. */
    private static String start() throws IOException {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath();
        assertThat(jar).as("trainer-service is packaged before its ITs run").isRegularFile();
        int port = LocalKafka.freePort();
        starts++;
        Path log = Path.of("target/poison-job-it/trainer-" + starts + ".log");
        Files.createDirectories(log.getParent());
        trainer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Dai.djl.offline=true", "-Dai.djl.default_engine=PyTorch",
                "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1",
                "-Djava.io.tmpdir=" + work.resolve("tmp"), "-Dquarkus.http.port=" + port,
                "-Dkafka.bootstrap.servers=" + kafka.bootstrapServers(), "-Dkafka.session.timeout.ms=10000",
                "-Dtrainer.data-dir=" + work.resolve("trainer"), "-Dtrainer.max-attempts=" + MAX_ATTEMPTS,
                "-Dfinetune.auth.enabled=false", "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
        Files.createDirectories(work.resolve("tmp"));
        String url = "http://127.0.0.1:" + port;
        await().atMost(READY).pollInterval(Duration.ofMillis(300)).until(() -> {
            if (!trainer.isAlive()) { // fails at once, not after the timeout
                throw new IllegalStateException("trainer start " + starts + " exited with " + trainer.exitValue()
                        + ": " + Files.readString(log));
            }
            try {
                return given().baseUri(url).get("/q/health/ready").statusCode() == 200;
            } catch (Exception notListeningYet) { // RestAssured rethrows ConnectException unchecked
                return false;
            }
        });
        return url;
    }

    /** What the kernel does to a process out of memory: SIGKILL, no shutdown hook, no saved state. */
    private static void kill() throws InterruptedException {
        trainer.destroyForcibly();
        assertThat(trainer.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
}

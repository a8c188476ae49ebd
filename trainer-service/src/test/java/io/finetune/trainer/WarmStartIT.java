package io.finetune.trainer;

import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.Json;
import io.finetune.contracts.Topics;
import io.finetune.contracts.TrainingProgress;
import io.finetune.kafka.local.LocalKafkaResource;
import io.finetune.kafka.local.TopicTail;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Retraining warm-started from a checkpoint, over a real broker: job 1 trains; its checkpoints are published and gone
 * from the trainer's disk; job 2 names job 1's final checkpoint as its base model and job 1 as its settingsFrom, so
 * the trainer reads the checkpoint back from finetune.training.checkpoints, and job 2 completes with its lineage
 * and job 1's settings on record. Unknown checkpoints and jobs are refused at submit (422) and, on the jobs topic,
 * end FAILED with the same reason once the bounded scan of the topic finds nothing.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalKafkaResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = FreshDataDir.class, restrictToAnnotatedClass = true)
class WarmStartIT {
    private static final String DATASET = "warm-start-it";

    @TempDir
    static Path tmp;

    private static String kafka() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    @BeforeAll
    static void publishDataset() throws Exception {
        ReviewData.ofDemoModel(DATASET, tmp.resolve("model"), 192, 64, 11).publish(kafka());
    }

    private static void awaitState(String jobId, String state) {
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                given().get("/jobs/" + jobId).then().body("state", equalTo(state)));
    }

    @Test
    void aJobWarmStartedFromAnotherJobsCheckpointWithItsSettingsCompletes() throws Exception {
        String first = given().contentType(ContentType.JSON).body("""
                        {"dataset": "%s", "baseModel": "distilbert-tiny",
                         "hyperparameters": {"learningRate": 0.005, "epochs": 2, "batchSize": 16, "maxLength": 64,
                                             "seed": 7}}""".formatted(DATASET))
                .post("/jobs").then().statusCode(202).extract().path("jobId");
        awaitState(first, "COMPLETED");
        String checkpoint = first + "-final";
        Path jobDir = ConfigProvider.getConfig().getValue("trainer.data-dir", Path.class).resolve("jobs")
                .resolve(first);
        assertThat(jobDir.resolve(checkpoint)).as("published, then deleted: only the topic has it").doesNotExist();

        String second = given().contentType(ContentType.JSON).body("""
                        {"dataset": "%s", "baseModel": "checkpoint:%s", "settingsFrom": "%s",
                         "hyperparameters": {"epochs": 1}}""".formatted(DATASET, checkpoint, first))
                .post("/jobs").then().statusCode(202)
                .body("baseModel", equalTo("checkpoint:" + checkpoint))
                .body("hyperparameters.learningRate", equalTo(0.005f)).body("hyperparameters.seed", equalTo(7))
                .body("hyperparameters.epochs", equalTo(1))
                .extract().path("jobId");
        awaitState(second, "COMPLETED");
        given().get("/jobs/" + second).then().body("baseModel", equalTo("checkpoint:" + checkpoint))
                .body("hyperparameters.learningRate", equalTo(0.005f)).body("hyperparameters.epochs", equalTo(1));
        assertThat(jobDir.resolveSibling(second).resolve("warm-start")).as("the fetched copy, once done")
                .doesNotExist();

        try (TopicTail progress = new TopicTail(kafka(), Topics.PROGRESS)) {
            List<TrainingProgress> events = progress.pollUntil(r -> second.equals(r.key())
                            && TopicTail.text(r).contains("COMPLETED"), Duration.ofSeconds(20)).stream()
                    .filter(r -> r.key() != null && r.key().startsWith("job-"))
                    .map(r -> Json.read(TopicTail.text(r), TrainingProgress.class)).toList();
            double firstRunStart = events.stream().filter(e -> e.jobId().equals(first)
                    && e.stage() == TrainingProgress.Stage.EPOCH).findFirst().orElseThrow().validationLoss();
            double firstRunBest = events.stream().filter(e -> e.jobId().equals(first)
                    && e.stage() == TrainingProgress.Stage.EPOCH).mapToDouble(TrainingProgress::validationLoss)
                    .min().orElseThrow();
            double warmFirstEpoch = events.stream().filter(e -> e.jobId().equals(second)
                    && e.stage() == TrainingProgress.Stage.EPOCH).findFirst().orElseThrow().validationLoss();
            // Continuing from job 1's best, job 2's first epoch is already below job 1's first epoch.
            assertThat(warmFirstEpoch).isLessThan(firstRunStart);
            assertThat(firstRunBest).isLessThan(firstRunStart);
        }
        try (TopicTail checkpoints = new TopicTail(kafka(), Topics.CHECKPOINTS)) {
            assertThat(checkpoints.pollUntil(r -> (second + "-final").equals(r.key()), Duration.ofSeconds(20)))
                    .as("job 2 published its final checkpoint").isNotEmpty();
        }
    }

    @Test
    void unknownCheckpointsAndJobsAreRefusedAtSubmitAndFailOnTheTopic() {
        String unknownCheckpoint = given().contentType(ContentType.JSON).body("""
                        {"dataset": "%s", "baseModel": "checkpoint:job-nope-final"}""".formatted(DATASET))
                .post("/jobs").then().statusCode(422).contentType("application/problem+json")
                .body("detail", containsString("checkpoint 'job-nope-final'"))
                .body("detail", containsString("finetune.training.checkpoints (partition"))
                .extract().path("detail");
        given().contentType(ContentType.JSON).body("""
                        {"dataset": "%s", "baseModel": "distilbert-tiny", "settingsFrom": "job-gone"}"""
                        .formatted(DATASET))
                .post("/jobs").then().statusCode(422).contentType("application/problem+json")
                .body("detail", containsString("settingsFrom names job 'job-gone'"));

        TopicTail.produce(kafka(), Topics.TRAINING_JOBS, List.of("job-warm-unknown"), List.of("""
                {"v":1,"jobId":"job-warm-unknown","dataset":"%s","baseModel":"checkpoint:job-nope-final",
                 "submittedAt":"2026-01-01T00:00:00Z"}""".formatted(DATASET).getBytes(StandardCharsets.UTF_8)));
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> given().get("/jobs/job-warm-unknown").then()
                .statusCode(200).body("state", equalTo("FAILED")).body("message", equalTo(unknownCheckpoint)));
    }
}

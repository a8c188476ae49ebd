package io.finetune.trainer;

import io.finetune.contracts.CheckpointChunk;
import io.finetune.contracts.Json;
import io.finetune.contracts.TopicAdmin;
import io.finetune.contracts.Topics;
import io.finetune.contracts.TrainingProgress;
import io.finetune.kafka.local.LocalKafkaResource;
import io.finetune.kafka.local.TopicTail;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.apache.kafka.clients.admin.Admin;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * The events clients act on (a checkpoint published, a job finished) are acknowledged before the job moves on: with
 * the progress topic gone from the broker, a job that has trained and published its final checkpoint stays RUNNING
 * instead of showing COMPLETED with nothing said on Kafka; once the topic is back, both events arrive and only then
 * is the job COMPLETED.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalKafkaResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = FreshDataDir.class, restrictToAnnotatedClass = true)
class AcknowledgedEventsIT {
    private static final String DATASET = "acked-it-reviews";

    @TempDir
    static Path tmp;

    private static String kafka() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    @BeforeAll
    static void publishDataset() throws Exception {
        ReviewData.ofDemoModel(DATASET, tmp.resolve("model"), 64, 16, 5).publish(kafka());
    }

    @Test
    void aJobIsCompletedOnlyOnceItsCheckpointAndCompletionEventsAreOnKafka() throws Exception {
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", kafka()))) {
            admin.deleteTopics(List.of(Topics.PROGRESS)).all().get();
            await().atMost(Duration.ofSeconds(30)).until(() -> !admin.listTopics().names().get()
                    .contains(Topics.PROGRESS));
        }
        String jobId = given().contentType(ContentType.JSON).body("""
                        {"dataset": "%s", "baseModel": "distilbert-tiny",
                         "hyperparameters": {"epochs": 1, "batchSize": 16, "maxLength": 64, "evalStrategy": "no"}}
                        """.formatted(DATASET))
                .post("/jobs").then().statusCode(202).extract().path("jobId");

        // Trained, and its final checkpoint (on a topic of its own, acknowledged chunk by chunk) is on Kafka ...
        try (TopicTail checkpoints = new TopicTail(kafka(), Topics.CHECKPOINTS)) {
            assertThat(checkpoints.pollUntil(r -> (jobId + "-final").equals(CheckpointChunk.checkpointIdOf(r.key())),
                    Duration.ofMinutes(2)))
                    .isNotEmpty();
        }
        // ... but nothing could be said about it on the progress topic: the job is not done.
        Thread.sleep(3000);
        given().get("/jobs/" + jobId).then().body("state", equalTo("RUNNING"));

        TopicAdmin.ensureTopics(Map.of("bootstrap.servers", kafka()), (short) 1);
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                given().get("/jobs/" + jobId).then().body("state", equalTo("COMPLETED")));
        try (TopicTail progress = new TopicTail(kafka(), Topics.PROGRESS)) {
            List<TrainingProgress> events = progress.pollUntil(r -> jobId.equals(r.key())
                            && TopicTail.text(r).contains("COMPLETED"), Duration.ofSeconds(20)).stream()
                    .map(r -> Json.read(TopicTail.text(r), TrainingProgress.class))
                    .filter(e -> e.jobId().equals(jobId)).toList();
            assertThat(events).extracting(TrainingProgress::stage).containsSubsequence(
                    TrainingProgress.Stage.CHECKPOINT, TrainingProgress.Stage.COMPLETED);
            assertThat(events).filteredOn(e -> e.stage() == TrainingProgress.Stage.CHECKPOINT)
                    .extracting(TrainingProgress::checkpointId).containsExactly(jobId + "-final");
        }
    }
}

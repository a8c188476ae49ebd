package io.finetune.trainer;

import io.finetune.contracts.Json;
import io.finetune.contracts.KafkaAccess;
import io.finetune.contracts.Topics;
import io.finetune.contracts.TrainingProgress;
import io.finetune.kafka.local.SecureAccess;
import io.finetune.kafka.local.SecureLocalKafkaResource;
import io.finetune.kafka.local.TopicTail;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * trainer-service against a broker that only lets in SCRAM logins over SASL_SSL and authorizes them, logged in as
 * its own user finetune-trainer with exactly the ACLs contracts' KafkaAccess grants it (and its production consumer
 * group): submitting a job writes it to the jobs topic and reads the dataset from the shards topic (JobResource's
 * reader), the consumer takes the job in its group, the worker reads the dataset again and trains (JobWorker's
 * reader), and progress goes out on the channels, all over the secured listener. The dataset is published as
 * finetune-preprocess, the only user that may write shards; the progress is read by the harness's admin.
 */
@QuarkusTest
@QuarkusTestResource(value = SecureLocalKafkaResource.class, restrictToAnnotatedClass = true, initArgs = {
        @ResourceArg(name = "service", value = "trainer"),
        @ResourceArg(name = "consumerChannel", value = "training-jobs")})
@QuarkusTestResource(value = FreshDataDir.class, restrictToAnnotatedClass = true)
class SecureKafkaTrainerIT {
    private static final String DATASET = "secure-reviews";

    SecureAccess kafka;

    @Test
    void aJobIsReadAndTrainedOverSaslSsl(@TempDir Path tmp) throws Exception {
        assertThat(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class))
                .isEqualTo(kafka.saslSslServers());
        // The consumer group KafkaAccess grants, not the test profile's own.
        assertThat(ConfigProvider.getConfig().getValue("mp.messaging.incoming.training-jobs.group.id", String.class))
                .isEqualTo("trainer-service");
        // A missing dataset is only known once the reader got through to the topic; a reader without the login
        // would wait for a connection until its timeout instead.
        given().contentType(ContentType.JSON).body("{\"dataset\": \"nobody-made-this\"}").post("/jobs")
                .then().statusCode(404).body("detail", containsString("not prepared"));

        publishDataset(tmp);
        String jobId = given().contentType(ContentType.JSON).body("""
                        {"dataset": "%s", "baseModel": "distilbert-tiny",
                         "hyperparameters": {"epochs": 1, "batchSize": 16, "maxLength": 64}}
                        """.formatted(DATASET))
                .post("/jobs").then().statusCode(202).extract().path("jobId");
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                given().get("/jobs/" + jobId).then().body("state", equalTo("COMPLETED")));

        // The trainer itself may not read progress: its login (scramClient()) is refused there.
        try (TopicTail progress = new TopicTail(kafka.adminClient(), Topics.PROGRESS)) {
            List<TrainingProgress.Stage> stages = progress.pollUntil(r -> jobId.equals(r.key())
                            && TopicTail.text(r).contains("COMPLETED"), Duration.ofSeconds(30)).stream()
                    .filter(r -> jobId.equals(r.key()))
                    .map(r -> Json.read(TopicTail.text(r), TrainingProgress.class).stage()).toList();
            assertThat(stages).contains(TrainingProgress.Stage.QUEUED, TrainingProgress.Stage.STARTED,
                    TrainingProgress.Stage.COMPLETED);
        }
    }

    /** A small tokenized dataset as preprocess-service would publish it, sent with preprocess's SCRAM login. */
    private void publishDataset(Path tmp) throws Exception {
        ReviewData.ofDemoModel(DATASET, tmp.resolve("model"), 64, 32, 5)
                .publish(kafka.scramClient(KafkaAccess.PREPROCESS));
    }
}

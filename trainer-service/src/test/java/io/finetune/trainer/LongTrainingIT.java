package io.finetune.trainer;

import io.finetune.kafka.local.LocalKafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
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
 * Training never holds the jobs consumer's poll loop. A 30-minute run against Kafka's 5-minute
 * {@code max.poll.interval.ms} and the throttled strategy's 60 s {@code unprocessed-record-max-age.ms} is scaled down
 * here: both limits cut to a few seconds, a job that trains for several times longer. Throughout, the service stays
 * healthy; afterwards the consumer group has the same single member (no rebalance) and still takes jobs.
 */
@QuarkusTest
@TestProfile(LongTrainingIT.TightPollLimits.class)
@QuarkusTestResource(value = LocalKafkaResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = FreshDataDir.class, restrictToAnnotatedClass = true)
class LongTrainingIT {
    private static final String DATASET = "long-training";
    private static final String GROUP = "trainer-long-training-it";
    private static final long MAX_POLL_INTERVAL_MS = 5000;
    private static final long MAX_UNACKED_AGE_MS = 4000;

    public static class TightPollLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "mp.messaging.incoming.training-jobs.group.id", GROUP,
                    "mp.messaging.incoming.training-jobs.max.poll.interval.ms", String.valueOf(MAX_POLL_INTERVAL_MS),
                    "mp.messaging.incoming.training-jobs.throttled.unprocessed-record-max-age.ms",
                    String.valueOf(MAX_UNACKED_AGE_MS));
        }
    }

    private static String kafka() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    /** Static, so that @BeforeAll can use it; JUnit deletes it after the class. */
    @TempDir
    static Path tmp;

    @BeforeAll
    static void publishDataset() throws Exception {
        ReviewData.ofDemoModel(DATASET, tmp.resolve("model"), 800, 160, 11).publish(kafka());
    }

    @Test
    void aTrainingRunSeveralTimesLongerThanThePollLimitsCausesNoRebalanceAndNoUnhealthyStatus() throws Exception {
        String jobId = submit(100);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                given().get("/jobs/" + jobId).then().body("state", equalTo("RUNNING")));
        List<String> membersAtStart = members();
        assertThat(membersAtStart).hasSize(1);

        long started = System.nanoTime();
        int healthChecks = 0;
        while (!"COMPLETED".equals(given().get("/jobs/" + jobId).then().extract().path("state"))) {
            assertThat(given().get("/jobs/" + jobId).then().extract().<String>path("state"))
                    .isIn("RUNNING", "COMPLETED");
            given().get("/q/health").then().statusCode(200);
            healthChecks++;
            Thread.sleep(500);
        }
        long trainedMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(trainedMillis).as("the run must outlast both limits several times over")
                .isGreaterThan(3 * Math.max(MAX_POLL_INTERVAL_MS, MAX_UNACKED_AGE_MS));
        assertThat(healthChecks).isGreaterThan(10);

        assertThat(members()).as("same consumer, no rebalance").isEqualTo(membersAtStart);
        String next = submit(1);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(300)).untilAsserted(() ->
                given().get("/jobs/" + next).then().body("state", equalTo("COMPLETED")));
        given().get("/q/health").then().statusCode(200);
    }

    private static String submit(int epochs) {
        return given().contentType(ContentType.JSON).body("""
                        {"dataset": "%s", "baseModel": "distilbert-tiny",
                         "hyperparameters": {"learningRate": 0.005, "epochs": %d, "batchSize": 16, "maxLength": 64}}
                        """.formatted(DATASET, epochs))
                .post("/jobs").then().statusCode(202).extract().path("jobId");
    }

    private static List<String> members() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka()))) {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(GROUP)).all().get().get(GROUP);
            return group.members().stream().map(MemberDescription::consumerId).sorted().toList();
        }
    }
}

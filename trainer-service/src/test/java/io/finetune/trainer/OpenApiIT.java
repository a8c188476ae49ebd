package io.finetune.trainer;

import io.finetune.kafka.local.LocalKafkaResource;
import io.finetune.service.openapi.OpenApiContract;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/** trainer-service's /q/openapi against its real answers: every status a client meets here is documented as given. */
@QuarkusTest
@QuarkusTestResource(value = LocalKafkaResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = FreshDataDir.class, restrictToAnnotatedClass = true)
class OpenApiIT {
    private static final String DATASET = "openapi-it-reviews";
    /** Long enough to be running and waited for while the test asks; it is cancelled at the end. */
    private static final String LONG_JOB = """
            {"dataset": "%s", "baseModel": "distilbert-tiny", "hyperparameters": {"epochs": 200, "batchSize": 8}}"""
            .formatted(DATASET);

    @TempDir
    static Path tmp;

    @BeforeAll
    static void publishDataset() throws Exception {
        ReviewData.ofDemoModel(DATASET, tmp.resolve("model"), 64, 16, 3)
                .publish(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    }

    @Test
    void everyOperationSaysWhatItDoesTakesAndNeeds() {
        OpenApiContract.fetch().describesEveryOperation();
    }

    @Test
    void jobsAnswerAsDocumented() {
        OpenApiContract api = OpenApiContract.fetch();
        Response accepted = api.answered("POST", "/jobs", submit(LONG_JOB));
        String running = accepted.path("jobId");
        assertThat(accepted.header("Location")).endsWith("/jobs/" + running);
        await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> given().get("/jobs/" + running).then()
                .body("state", equalTo("RUNNING")));
        String queued = api.answered("POST", "/jobs", submit(LONG_JOB)).path("jobId");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/jobs/" + queued).then()
                .statusCode(200));

        api.answered("GET", "/jobs", given().get("/jobs"));
        api.answered("GET", "/jobs/{jobId}", given().get("/jobs/" + queued));
        api.answered("GET", "/jobs/{jobId}", given().get("/jobs/job-none"));
        assertThat(api.answered("DELETE", "/jobs/{jobId}", given().delete("/jobs/" + queued)).statusCode())
                .as("a queued job is cancelled at once").isEqualTo(200);
        assertThat(api.answered("DELETE", "/jobs/{jobId}", given().delete("/jobs/" + running)).statusCode())
                .as("a running job stops at its next step").isEqualTo(202);
        await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> given().get("/jobs/" + running).then()
                .body("state", equalTo("CANCELLED")));
        api.answered("DELETE", "/jobs/{jobId}", given().delete("/jobs/" + running)).then().statusCode(409);
        api.answered("DELETE", "/jobs/{jobId}", given().delete("/jobs/job-none")).then().statusCode(404);
    }

    @Test
    void refusedJobsAnswerAsDocumented() {
        OpenApiContract api = OpenApiContract.fetch();
        api.answered("POST", "/jobs", submit("{\"dataset\":")).then().statusCode(400);
        api.answered("POST", "/jobs", submit("{\"dataset\": [\"" + DATASET + "\"]}")).then().statusCode(400);
        api.answered("POST", "/jobs", submit("{\"dataset\": \"../x\"}")).then().statusCode(400);
        api.answered("POST", "/jobs", submit("{\"dataset\": \"nobody-made-this\"}")).then().statusCode(404);
        api.answered("POST", "/jobs", submit("{\"dataset\": \"%s\", \"baseModel\": \"distilbert-base-uncased\"}"
                .formatted(DATASET))).then().statusCode(422);
        api.answered("POST", "/jobs", submit("{\"dataset\": \"%s\", \"baseModel\": \"%s\"}"
                .formatted(DATASET, "m".repeat(20_000)))).then().statusCode(413);
        api.answered("POST", "/jobs", given().contentType(ContentType.TEXT).body("{}").post("/jobs")).then()
                .statusCode(415);
    }

    private static Response submit(String body) {
        return given().contentType(ContentType.JSON).body(body).post("/jobs");
    }
}

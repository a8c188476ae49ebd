package io.finetune.trainer;

import io.finetune.kafka.local.LocalKafkaResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** Authentication on: submitting and cancelling jobs needs an API key; listing jobs, health and metrics do not. */
@QuarkusTest
@TestProfile(AuthIT.AuthOn.class)
class AuthIT {
    static final String KEY = "trainer-it-key-7d1c2b9e";

    public static class AuthOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("%test.finetune.auth.enabled", "true", "finetune.auth.api-keys", KEY);
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(LocalKafkaResource.class), new TestResourceEntry(FreshDataDir.class));
        }
    }

    @Test
    void submittingAndCancellingNeedAKey() {
        String job = "{\"dataset\": \"nobody-made-this\"}";
        given().contentType(ContentType.JSON).body(job).post("/jobs").then().statusCode(401)
                .contentType("application/problem+json").header("WWW-Authenticate", containsString("Bearer"));
        given().delete("/jobs/job-none").then().statusCode(401);
        given().header("X-API-Key", "not-" + KEY).contentType(ContentType.JSON).body(job).post("/jobs").then()
                .statusCode(401);

        // Past authentication, the request meets the endpoint's own checks.
        given().header("X-API-Key", KEY).contentType(ContentType.JSON).body(job).post("/jobs").then()
                .statusCode(404).body("detail", containsString("not prepared"));
        given().header("Authorization", "Bearer " + KEY).delete("/jobs/job-none").then().statusCode(404);
    }

    @Test
    void aJobBodyIsSmall() {
        String padded = "{\"dataset\": \"x\", \"baseModel\": \"" + "m".repeat(20_000) + "\"}";
        given().header("X-API-Key", KEY).contentType(ContentType.JSON).body(padded).post("/jobs").then()
                .statusCode(413).contentType("application/problem+json").body("detail", containsString("16384"));
    }

    @Test
    void readsHealthAndMetricsStayOpen() {
        given().get("/jobs").then().statusCode(200);
        given().get("/jobs/job-none").then().statusCode(404);
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_"));
        given().get("/q/openapi").then().statusCode(200).body(containsString("/jobs"));
        given().header("X-API-Key", KEY).get("/jobs").then().statusCode(200).body("size()", equalTo(0));
    }
}

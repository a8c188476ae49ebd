package io.finetune.evaluator.it;

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

/** Authentication on: predictions (POST, and costly) need an API key; reports, health and metrics do not. */
@QuarkusTest
@TestProfile(AuthIT.AuthOn.class)
class AuthIT {
    static final String KEY = "evaluator-it-key-4a8f0e6d";

    public static class AuthOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("%test.finetune.auth.enabled", "true", "finetune.auth.api-keys", KEY);
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(LocalKafkaResource.class));
        }
    }

    @Test
    void predictingNeedsAKey() {
        String request = "{\"texts\": []}";
        given().contentType(ContentType.JSON).body(request).post("/predict").then().statusCode(401)
                .contentType("application/problem+json").body("detail", containsString("POST /predict"));
        given().header("X-API-Key", KEY).contentType(ContentType.JSON).body(request).post("/predict").then()
                .statusCode(400).body("detail", containsString("'texts'"));
    }

    @Test
    void aPredictBodyHasItsOwnLimit() {
        String big = "{\"texts\": [\"" + "x".repeat(1_100_000) + "\"]}";
        given().header("X-API-Key", KEY).contentType(ContentType.JSON).body(big).post("/predict").then()
                .statusCode(413).contentType("application/problem+json").body("detail", containsString("1048576"));
    }

    @Test
    void readsHealthAndMetricsStayOpen() {
        given().get("/evaluations").then().statusCode(200);
        given().get("/compare?jobs=a,b").then().statusCode(404);
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_"));
    }
}

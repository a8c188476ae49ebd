package io.finetune.preprocess;

import io.finetune.kafka.local.LocalKafkaResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

/** finetune.auth.protect-reads: even the read-only API needs a credential; health and metrics still do not. */
@QuarkusTest
@TestProfile(AuthIT.ReadsProtected.class)
class AuthIT {
    static final String KEY = "preprocess-it-key-93be51c0";

    public static class ReadsProtected implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("%test.finetune.auth.enabled", "true", "finetune.auth.protect-reads", "true",
                    "finetune.auth.api-keys", KEY);
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(LocalKafkaResource.class));
        }
    }

    @Test
    void readsNeedAKey() {
        given().get("/datasets").then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", containsString("Bearer")).body("detail", containsString("GET /datasets"));
        given().header("X-API-Key", KEY.toUpperCase()).get("/datasets/none").then().statusCode(401);
        given().header("X-API-Key", KEY).get("/datasets").then().statusCode(200);
        given().header("Authorization", "Bearer " + KEY).get("/datasets/none").then().statusCode(404);
    }

    @Test
    void healthAndMetricsStayOpen() {
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_"));
    }
}

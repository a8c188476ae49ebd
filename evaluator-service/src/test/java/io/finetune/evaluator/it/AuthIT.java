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
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/**
 * Authentication on, as by default: evaluations, reports, model weights and predictions need a credential, and a
 * read-only one is enough for all of them (this service changes nothing through its API); health, metrics and the
 * OpenAPI document stay open.
 */
@QuarkusTest
@TestProfile(AuthIT.AuthOn.class)
class AuthIT {
    static final String KEY = "evaluator-it-key-4a8f0e6d";
    static final String READ_KEY = "evaluator-it-read-key-71b3c9";

    public static class AuthOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("%test.finetune.auth.enabled", "true",
                    "finetune.auth.api-keys", KEY + ",read:" + READ_KEY);
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(LocalKafkaResource.class));
        }
    }

    @Test
    void predictingNeedsACredentialAndAReadKeyIsEnough() {
        String request = "{\"texts\": []}";
        given().contentType(ContentType.JSON).body(request).post("/predict").then().statusCode(401)
                .contentType("application/problem+json").body("detail", containsString("POST /predict"));
        given().header("X-API-Key", READ_KEY).contentType(ContentType.JSON).body(request).post("/predict").then()
                .statusCode(400).body("detail", containsString("'texts'"));
        given().header("X-API-Key", KEY).contentType(ContentType.JSON).body(request).post("/predict").then()
                .statusCode(400).body("detail", containsString("'texts'"));
    }

    @Test
    void aPredictBodyHasItsOwnLimitAndAnAnonymousHugeOneIs401() {
        String big = "{\"texts\": [\"" + "x".repeat(1_100_000) + "\"]}";
        given().contentType(ContentType.JSON).body(big).post("/predict").then().statusCode(401)
                .contentType("application/problem+json");
        given().header("X-API-Key", KEY).contentType(ContentType.JSON).body(big).post("/predict").then()
                .statusCode(413).contentType("application/problem+json").body("detail", containsString("1048576"));
    }

    @Test
    void evaluationsReportsAndModelWeightsNeedACredential() {
        for (String path : List.of("/evaluations", "/evaluations/ckpt-none", "/evaluations/ckpt-none/report",
                "/evaluations/ckpt-none/model", "/evaluations/ckpt-none/advice", "/compare?jobs=a,b",
                "/jobs/job-none/evaluations", "/jobs/job-none/best")) {
            given().get(path).then().statusCode(401).contentType("application/problem+json")
                    .header("WWW-Authenticate", equalTo("Bearer realm=\"finetune\""));
        }
        given().header("X-API-Key", READ_KEY).get("/evaluations").then().statusCode(200);
        given().header("X-API-Key", READ_KEY).get("/evaluations/ckpt-none/model").then().statusCode(404);
        given().header("Authorization", "Bearer " + READ_KEY).get("/compare?jobs=a,b").then().statusCode(404);
        given().header("X-API-Key", KEY).get("/evaluations").then().statusCode(200);
    }

    @Test
    void healthMetricsAndOpenApiStayOpen() {
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_"));
        given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .body("components.securitySchemes.apiKey.name", equalTo("X-API-Key"))
                .body("paths.'/predict'.post.security", hasItem(Map.of("apiKey", List.of("read"))))
                .body("paths.'/evaluations/{checkpointId}/model'.get.security",
                        hasItem(Map.of("bearer", List.of("read"))));
    }
}

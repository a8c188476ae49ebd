package io.finetune.trainer;

import io.finetune.kafka.local.LocalKafkaResource;
import io.finetune.service.security.ApiKeys;
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
import static org.hamcrest.Matchers.not;

/**
 * Authentication on, as in production: every endpoint needs a credential, reads included. A read key lists and reads
 * jobs but may not submit or cancel them (403); a write key does both. Health, metrics and the OpenAPI document stay
 * open, and an endpoint that names no role is closed to everyone.
 */
@QuarkusTest
@TestProfile(AuthIT.AuthOn.class)
class AuthIT {
    static final String WRITE_KEY = "trainer-it-key-7d1c2b9e";
    static final String READ_KEY = "trainer-it-read-key-0c4f9a12";

    public static class AuthOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // An unprefixed key (read-write, as keys were before roles) and a read-only one, configured as its hash.
            return Map.of("%test.finetune.auth.enabled", "true",
                    "finetune.auth.api-keys", WRITE_KEY + ",read:" + ApiKeys.hash(READ_KEY));
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(LocalKafkaResource.class), new TestResourceEntry(FreshDataDir.class));
        }
    }

    private static final String JOB = "{\"dataset\": \"nobody-made-this\"}";

    @Test
    void anonymousCallersGet401WithAProblemAndAChallengeOnReadsAndWrites() {
        given().get("/jobs").then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", equalTo("Bearer realm=\"finetune\""))
                .body("status", equalTo(401)).body("detail", containsString("GET /jobs needs a credential"));
        given().get("/jobs/job-none").then().statusCode(401).contentType("application/problem+json");
        given().contentType(ContentType.JSON).body(JOB).post("/jobs").then().statusCode(401)
                .contentType("application/problem+json").body("detail", containsString("POST /jobs"));
        given().delete("/jobs/job-none").then().statusCode(401);
    }

    @Test
    void aWrongKeyIs401InvalidToken() {
        given().header("X-API-Key", "not-" + WRITE_KEY).get("/jobs").then().statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", equalTo("Bearer realm=\"finetune\", error=\"invalid_token\""))
                .body("detail", equalTo("the API key or access token is not accepted"))
                .body(not(containsString(WRITE_KEY)));
        given().header("X-API-Key", "read:" + READ_KEY).get("/jobs").then().statusCode(401);
        given().header("Authorization", "Basic " + WRITE_KEY).get("/jobs").then().statusCode(401);
    }

    @Test
    void aReadKeyReadsButMayNotSubmitOrCancel() {
        given().header("X-API-Key", READ_KEY).get("/jobs").then().statusCode(200).body("size()", equalTo(0));
        given().header("Authorization", "Bearer " + READ_KEY).get("/jobs/job-none").then().statusCode(404);
        given().header("X-API-Key", READ_KEY).contentType(ContentType.JSON).body(JOB).post("/jobs").then()
                .statusCode(403).contentType("application/problem+json").body("status", equalTo(403))
                .body("detail", equalTo("POST /jobs needs the role write, which this credential does not have"));
        given().header("X-API-Key", READ_KEY).delete("/jobs/job-none").then().statusCode(403)
                .contentType("application/problem+json");
    }

    @Test
    void aWriteKeyReadsAndWrites() {
        given().header("X-API-Key", WRITE_KEY).get("/jobs").then().statusCode(200);
        // Past authentication, the request meets the endpoint's own checks.
        given().header("X-API-Key", WRITE_KEY).contentType(ContentType.JSON).body(JOB).post("/jobs").then()
                .statusCode(404).body("detail", containsString("not prepared"));
        given().header("Authorization", "Bearer " + WRITE_KEY).delete("/jobs/job-none").then().statusCode(404);
    }

    @Test
    void aJobBodyIsSmallAndAnAnonymousHugeOneIs401Not413() {
        String padded = "{\"dataset\": \"x\", \"baseModel\": \"" + "m".repeat(20_000) + "\"}";
        given().contentType(ContentType.JSON).body(padded).post("/jobs").then().statusCode(401);
        given().header("X-API-Key", READ_KEY).contentType(ContentType.JSON).body(padded).post("/jobs").then()
                .statusCode(403);
        given().header("X-API-Key", WRITE_KEY).contentType(ContentType.JSON).body(padded).post("/jobs").then()
                .statusCode(413).contentType("application/problem+json").body("detail", containsString("16384"));
    }

    @Test
    void anEndpointThatNamesNoRoleIsClosedToEveryCredential() {
        given().get("/it-forgotten").then().statusCode(401);
        given().header("X-API-Key", WRITE_KEY).get("/it-forgotten").then().statusCode(403)
                .contentType("application/problem+json").body("detail", containsString("names no role"))
                .body(not(containsString("never be served")));
    }

    @Test
    void healthMetricsAndTheOpenApiDocumentStayOpenAndShowTheSchemes() {
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_"));
        given().header("X-API-Key", "a-stale-key-a-probe-still-sends").get("/q/health/ready").then().statusCode(200);
        given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .body("components.securitySchemes.apiKey.type", equalTo("apiKey"))
                .body("components.securitySchemes.apiKey.in", equalTo("header"))
                .body("components.securitySchemes.apiKey.name", equalTo("X-API-Key"))
                .body("components.securitySchemes.bearer.type", equalTo("http"))
                .body("components.securitySchemes.bearer.scheme", equalTo("bearer"))
                .body("paths.'/jobs'.post.security", hasItem(Map.of("apiKey", List.of("write"))))
                .body("paths.'/jobs'.post.security", hasItem(Map.of("bearer", List.of("write"))))
                .body("paths.'/jobs'.get.security", hasItem(Map.of("apiKey", List.of("read"))))
                .body("paths.'/jobs'.get.security", hasItem(Map.of("bearer", List.of("read"))))
                .body("paths.'/jobs/{jobId}'.delete.security", hasItem(Map.of("bearer", List.of("write"))));
    }
}

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
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/** Authentication on, as by default: the read-only API needs a credential; health, metrics and OpenAPI do not. */
@QuarkusTest
@TestProfile(AuthIT.AuthOn.class)
class AuthIT {
    static final String KEY = "preprocess-it-key-93be51c0";
    static final String READ_KEY = "preprocess-it-read-key-5e02d7";

    public static class AuthOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("%test.finetune.auth.enabled", "true",
                    "finetune.auth.api-keys", "write:" + KEY + ",read:" + READ_KEY);
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(LocalKafkaResource.class));
        }
    }

    @Test
    void readsNeedACredential() {
        given().get("/datasets").then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", equalTo("Bearer realm=\"finetune\""))
                .body("detail", containsString("GET /datasets needs a credential"));
        given().get("/datasets/none").then().statusCode(401).contentType("application/problem+json");
        given().header("X-API-Key", KEY.toUpperCase()).get("/datasets/none").then().statusCode(401)
                .header("WWW-Authenticate", containsString("error=\"invalid_token\""));
    }

    @Test
    void readAndWriteKeysBothRead() {
        given().header("X-API-Key", READ_KEY).get("/datasets").then().statusCode(200);
        given().header("Authorization", "Bearer " + READ_KEY).get("/datasets/none").then().statusCode(404);
        given().header("X-API-Key", KEY).get("/datasets").then().statusCode(200);
        given().header("Authorization", "Bearer " + KEY).get("/datasets/none").then().statusCode(404);
    }

    @Test
    void healthMetricsAndOpenApiStayOpen() {
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_"));
        given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .body("components.securitySchemes.apiKey.name", equalTo("X-API-Key"))
                .body("components.securitySchemes.bearer.scheme", equalTo("bearer"))
                .body("paths.'/datasets/{name}'.get.security", hasItem(Map.of("apiKey", List.of("read"))))
                .body("paths.'/datasets/{name}'.get.security", hasItem(Map.of("bearer", List.of("read"))));
    }
}

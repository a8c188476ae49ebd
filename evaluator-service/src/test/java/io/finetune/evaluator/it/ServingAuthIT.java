package io.finetune.evaluator.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

/**
 * Deployments decide which model labels production traffic: changing one needs a write credential, seeing them a read
 * one. The write key passes authorization and meets the domain's own refusal (an unknown checkpoint).
 */
@QuarkusTest
@TestProfile(AuthIT.AuthOn.class)
class ServingAuthIT {
    private static final String CREATE = "{\"name\": \"auth-check\", \"checkpoint\": \"ckpt-none\"}";

    @Test
    void changingADeploymentNeedsTheWriteRole() {
        given().contentType(ContentType.JSON).body(CREATE).post("/deployments").then().statusCode(401)
                .contentType("application/problem+json");
        given().header("X-API-Key", AuthIT.READ_KEY).contentType(ContentType.JSON).body(CREATE)
                .post("/deployments").then().statusCode(403).contentType("application/problem+json");
        given().header("X-API-Key", AuthIT.KEY).contentType(ContentType.JSON).body(CREATE)
                .post("/deployments").then().statusCode(404).body("detail", containsString("ckpt-none"));

        String point = "{\"checkpoint\": \"ckpt-none\"}";
        given().contentType(ContentType.JSON).body(point).put("/deployments/auth-check/checkpoint").then()
                .statusCode(401);
        given().header("X-API-Key", AuthIT.READ_KEY).contentType(ContentType.JSON).body(point)
                .put("/deployments/auth-check/checkpoint").then().statusCode(403);
        given().post("/deployments/auth-check/rollback").then().statusCode(401);
        given().header("X-API-Key", AuthIT.READ_KEY).post("/deployments/auth-check/rollback").then().statusCode(403);
        given().header("X-API-Key", AuthIT.KEY).post("/deployments/auth-check/rollback").then().statusCode(404);

        String policy = "{\"metric\": \"accuracy\", \"minImprovement\": 0.01}";
        given().contentType(ContentType.JSON).body(policy).put("/deployments/auth-check/policy").then()
                .statusCode(401);
        given().header("X-API-Key", AuthIT.READ_KEY).contentType(ContentType.JSON).body(policy)
                .put("/deployments/auth-check/policy").then().statusCode(403);
        given().header("X-API-Key", AuthIT.KEY).contentType(ContentType.JSON).body(policy)
                .put("/deployments/auth-check/policy").then().statusCode(404);
        given().delete("/deployments/auth-check/policy").then().statusCode(401);
        given().header("X-API-Key", AuthIT.READ_KEY).delete("/deployments/auth-check/policy").then().statusCode(403);
        given().header("X-API-Key", AuthIT.KEY).delete("/deployments/auth-check/policy").then().statusCode(404);

        String retraining = "{\"trigger\": \"new-build\"}";
        given().contentType(ContentType.JSON).body(retraining).put("/deployments/auth-check/retraining").then()
                .statusCode(401);
        given().header("X-API-Key", AuthIT.READ_KEY).contentType(ContentType.JSON).body(retraining)
                .put("/deployments/auth-check/retraining").then().statusCode(403);
        given().header("X-API-Key", AuthIT.KEY).contentType(ContentType.JSON).body(retraining)
                .put("/deployments/auth-check/retraining").then().statusCode(404);
        given().delete("/deployments/auth-check/retraining").then().statusCode(401);
        given().header("X-API-Key", AuthIT.READ_KEY).delete("/deployments/auth-check/retraining").then()
                .statusCode(403);
        given().post("/deployments/auth-check/retrain").then().statusCode(401);
        given().header("X-API-Key", AuthIT.READ_KEY).post("/deployments/auth-check/retrain").then().statusCode(403);
        given().header("X-API-Key", AuthIT.KEY).post("/deployments/auth-check/retrain").then().statusCode(404);

        String correction = "{\"requestId\": \"r-1\", \"text\": \"t\", \"label\": \"pos\"}";
        given().contentType(ContentType.JSON).body(correction).post("/deployments/auth-check/corrections").then()
                .statusCode(401);
        given().header("X-API-Key", AuthIT.READ_KEY).contentType(ContentType.JSON).body(correction)
                .post("/deployments/auth-check/corrections").then().statusCode(403);
        given().header("X-API-Key", AuthIT.KEY).contentType(ContentType.JSON).body(correction)
                .post("/deployments/auth-check/corrections").then().statusCode(404);
    }

    /** A misspelt field would silently take the default (no margin, the champion's weights): refused instead. */
    @Test
    void aFieldABodyDoesNotHaveIsRefusedNamingItBeforeAnythingChanges() {
        Map<String, String> bodies = Map.of(
                "POST /deployments", "{\"name\": \"auth-check\", \"checkpoint\": \"c\", \"policy\": {}}",
                "PUT /deployments/auth-check/checkpoint", "{\"checkpointId\": \"c\"}",
                "PUT /deployments/auth-check/policy", "{\"metric\": \"accuracy\", \"minImprovment\": 0.05}",
                "PUT /deployments/auth-check/retraining", "{\"trigger\": \"new-build\", \"warm_start\": \"base\"}",
                "POST /deployments/auth-check/retrain", "{\"warmstart\": \"base\"}",
                "POST /deployments/auth-check/corrections",
                "{\"requestId\": \"r-1\", \"text\": \"t\", \"label\": \"pos\", \"lable\": \"neg\"}");
        Map<String, String> unknown = Map.of("POST /deployments", "policy",
                "PUT /deployments/auth-check/checkpoint", "checkpointId",
                "PUT /deployments/auth-check/policy", "minImprovment",
                "PUT /deployments/auth-check/retraining", "warm_start",
                "POST /deployments/auth-check/retrain", "warmstart",
                "POST /deployments/auth-check/corrections", "lable");
        bodies.forEach((call, body) -> {
            String[] methodAndPath = call.split(" ");
            given().header("X-API-Key", AuthIT.KEY).contentType(ContentType.JSON).body(body)
                    .request(methodAndPath[0], methodAndPath[1]).then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("detail", containsString("'" + unknown.get(call) + "' is not a field here"));
        });
        given().header("X-API-Key", AuthIT.KEY).contentType(ContentType.JSON).body("{\"minImprovment\": 0.05}")
                .put("/deployments/auth-check/policy").then().statusCode(400)
                .body("detail", containsString("the fields are 'evaluationSet', 'metric', 'minImprovement'"));
        given().header("X-API-Key", AuthIT.READ_KEY).get("/deployments/auth-check").then().statusCode(404);
    }

    @Test
    void readingDeploymentsNeedsACredentialAndAReadKeyIsEnough() {
        given().get("/deployments").then().statusCode(401);
        given().header("X-API-Key", AuthIT.READ_KEY).get("/deployments").then().statusCode(200);
        given().header("X-API-Key", AuthIT.READ_KEY).get("/deployments/auth-check").then().statusCode(404);
        given().get("/deployments/auth-check/history").then().statusCode(401);
        given().header("X-API-Key", AuthIT.READ_KEY).get("/deployments/auth-check/history").then().statusCode(404);
    }

    @Test
    void theOpenApiDocumentSaysWhichRoleEachCallNeeds() {
        given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .body("paths.'/deployments'.post.security", org.hamcrest.Matchers.hasItem(
                        Map.of("apiKey", java.util.List.of("write"))))
                .body("paths.'/deployments'.get.security", org.hamcrest.Matchers.hasItem(
                        Map.of("apiKey", java.util.List.of("read"))));
    }
}

package io.finetune.evaluator.it;

import io.finetune.kafka.local.LocalKafkaResource;
import io.finetune.service.openapi.OpenApiContract;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;

/** evaluator-service's /q/openapi against its real answers: every status a client meets here is documented. */
@QuarkusTest
@WithTestResource(LocalKafkaResource.class)
class OpenApiIT {
    @Test
    void everyOperationSaysWhatItDoesTakesAndNeeds() {
        OpenApiContract.fetch().describesEveryOperation();
    }

    @Test
    void evaluationsAnswerAsDocumented() {
        OpenApiContract api = OpenApiContract.fetch();
        api.answered("GET", "/evaluations", given().get("/evaluations")).then().statusCode(200);
        for (String part : new String[] {"", "/advice", "/guards", "/report", "/model"}) {
            api.answered("GET", "/evaluations/{checkpointId}" + part, given().get("/evaluations/never" + part))
                    .then().statusCode(404);
        }
        api.answered("GET", "/jobs/{jobId}/evaluations", given().get("/jobs/never/evaluations")).then()
                .statusCode(404);
        api.answered("GET", "/jobs/{jobId}/best", given().get("/jobs/never/best?metric=luck")).then()
                .statusCode(400);
        api.answered("GET", "/jobs/{jobId}/best", given().get("/jobs/never/best")).then().statusCode(404);
        api.answered("GET", "/compare", given().get("/compare?jobs=a")).then().statusCode(400);
        api.answered("GET", "/compare", given().get("/compare?jobs=a,b")).then().statusCode(404);
    }

    @Test
    void predictionsAnswerAsDocumented() {
        OpenApiContract api = OpenApiContract.fetch();
        api.answered("POST", "/predict", predict("{\"texts\": []}")).then().statusCode(400);
        api.answered("POST", "/predict", predict("{\"texts\": [\"a\"")).then().statusCode(400);
        api.answered("POST", "/predict", predict("{\"texts\": \"a\"}")).then().statusCode(400);
        api.answered("POST", "/predict", predict("{\"texts\": [\"a\", \"b\", \"c\", \"d\", \"e\"]}")).then()
                .statusCode(413);
        api.answered("POST", "/predict", predict("{\"texts\": [\"a\"], \"checkpoint\": \"never\"}")).then()
                .statusCode(404);
        api.answered("POST", "/predict", given().contentType("text/plain").body("a").post("/predict")).then()
                .statusCode(415);
    }

    @Test
    void correctionsAnswerAsDocumented() {
        OpenApiContract api = OpenApiContract.fetch();
        api.answered("POST", "/deployments/{name}/corrections", given().contentType("application/json")
                .body("{\"requestId\": \"r-1\", \"text\": \"t\", \"label\": \"pos\"}")
                .post("/deployments/never/corrections")).then().statusCode(404);
    }

    private static Response predict(String body) {
        return given().contentType("application/json").body(body).post("/predict");
    }
}

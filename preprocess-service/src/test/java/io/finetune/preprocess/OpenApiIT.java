package io.finetune.preprocess;

import io.finetune.kafka.local.LocalKafkaResource;
import io.finetune.service.openapi.OpenApiContract;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;

/** preprocess-service's /q/openapi against its real answers: every status a client meets here is documented. */
@QuarkusTest
@QuarkusTestResource(value = LocalKafkaResource.class, restrictToAnnotatedClass = true)
class OpenApiIT {
    @Test
    void everyOperationSaysWhatItDoesTakesAndNeeds() {
        OpenApiContract.fetch().describesEveryOperation();
    }

    @Test
    void datasetsAnswerAsDocumented() {
        OpenApiContract api = OpenApiContract.fetch();
        api.answered("GET", "/datasets", given().get("/datasets")).then().statusCode(200);
        api.answered("GET", "/datasets/{name}", given().get("/datasets/nobody")).then().statusCode(404);
    }
}

package io.finetune.ingest;

import io.finetune.kafka.local.LocalKafkaResource;
import io.finetune.service.openapi.OpenApiContract;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static io.restassured.RestAssured.given;

/** ingest-service's /q/openapi against its real answers: every status a client meets here is documented as given. */
@QuarkusTest
@QuarkusTestResource(value = LocalKafkaResource.class, restrictToAnnotatedClass = true)
class OpenApiIT {
    private static final String NDJSON = "application/x-ndjson";

    @Test
    void everyOperationSaysWhatItDoesTakesAndNeeds() {
        OpenApiContract.fetch().describesEveryOperation();
    }

    @Test
    void theDatasetLifecycleAnswersAsDocumented() {
        OpenApiContract api = OpenApiContract.fetch();
        api.answered("POST", "/datasets", create("{\"name\": \"openapi-set\", \"labels\": [\"pos\", \"neg\"]}"))
                .then().statusCode(201);
        api.answered("POST", "/datasets", create("{\"name\": \"openapi-set\"}")).then().statusCode(409);
        api.answered("POST", "/datasets", create("{\"name\": \"../x\"}")).then().statusCode(400);
        api.answered("POST", "/datasets", create("{\"name\":")).then().statusCode(400);
        api.answered("POST", "/datasets", create("{\"name\": [\"x\"]}")).then().statusCode(400);
        api.answered("POST", "/datasets", create("{\"name\": \"" + "n".repeat(70_000) + "\"}")).then()
                .statusCode(413);
        api.answered("POST", "/datasets", given().contentType(ContentType.TEXT).body("x").post("/datasets"))
                .then().statusCode(415);
        api.answered("GET", "/datasets/{name}", given().get("/datasets/openapi-set")).then().statusCode(200);
        api.answered("GET", "/datasets/{name}", given().get("/datasets/nobody")).then().statusCode(404);

        String records = "/datasets/{name}/records";
        api.answered("POST", records, records("openapi-set", "{\"text\": \"a fine film\", \"label\": \"pos\"}\n"
                + "{\"text\": \"dull\", \"label\": \"meh\"}")).then().statusCode(200);
        api.answered("POST", records, records("openapi-set", "{\"text\": \"dull\", \"label\": \"meh\"}")).then()
                .statusCode(400);
        api.answered("POST", records, records("nobody", "{}")).then().statusCode(404);
        String importPath = "/datasets/{name}/import";
        api.answered("POST", importPath, given().contentType(NDJSON).body(utf8("{}"))
                .post("/datasets/openapi-set/import")).then().statusCode(400);
        api.answered("POST", importPath, given().contentType(NDJSON).body(utf8("{\"text\": \"good\", \"label\":"
                + " \"pos\"}")).post("/datasets/openapi-set/import?format=jsonl")).then().statusCode(200);

        String seal = "/datasets/{name}/seal";
        api.answered("POST", seal, seal("nobody")).then().statusCode(404);
        api.answered("POST", seal, seal("openapi-set")).then().statusCode(200);
        api.answered("POST", seal, seal("openapi-set")).then().statusCode(409);
        api.answered("POST", records, records("openapi-set", "{\"text\": \"late\", \"label\": \"pos\"}")).then()
                .statusCode(409);
    }

    private static Response create(String body) {
        return given().contentType(ContentType.JSON).body(body).post("/datasets");
    }

    private static Response records(String dataset, String lines) {
        return given().contentType(NDJSON).body(utf8(lines)).post("/datasets/" + dataset + "/records");
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Response seal(String dataset) {
        return given().contentType(ContentType.JSON).body("{}").post("/datasets/" + dataset + "/seal");
    }
}

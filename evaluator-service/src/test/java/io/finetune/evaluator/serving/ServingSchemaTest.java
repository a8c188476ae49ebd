package io.finetune.evaluator.serving;

import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.finetune.contracts.Json;
import io.finetune.contracts.Prediction;
import io.finetune.evaluator.domain.TextClassifier;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/schemas' inference request and prediction schemas and the evaluator agree: a request either passes the schema
 * and is answered, or fails it and becomes a dead letter; every prediction the evaluator writes passes its schema.
 */
class ServingSchemaTest {
    private static final Path SCHEMAS = Path.of("..", "docs", "schemas");
    private static final Deployment PHISHING = Deployment.create("phishing", "ckpt-a", List.of("Subject", "Body"),
            Instant.EPOCH);

    private final RequestBatch batch = new RequestBatch(() -> List.of(PHISHING), Optional.empty(),
            (checkpoint, texts) -> texts.stream().map(t -> new TextClassifier.Prediction("phishing",
                    Map.of("legit", 0.25, "phishing", 0.75), 7, false)).toList());

    private static final List<String> VALID = List.of(
            "{\"id\": \"m1\", \"text\": \"Verify your password\", \"deployment\": \"phishing\"}",
            "{\"id\": \"m2\", \"text\": \"x\", \"deployment\": \"phishing\", \"unknown\": {\"is\": \"ignored\"}}",
            "{\"id\": \"m8\", \"deployment\": \"phishing\", \"record\": {\"Email_ID\": 8, \"Subject\": \"Invoice\","
                    + " \"Body\": \"Open the attachment\"}}");

    private static final List<String> INVALID = List.of(
            "[1, 2]",
            "\"just a string\"",
            "{\"text\": \"no id\", \"deployment\": \"phishing\"}",
            "{\"id\": \" \", \"text\": \"blank id\", \"deployment\": \"phishing\"}",
            "{\"id\": \"m3\", \"deployment\": \"phishing\"}",
            "{\"id\": \"m4\", \"text\": \"  \", \"deployment\": \"phishing\"}",
            "{\"id\": \"m5\", \"text\": 5, \"deployment\": \"phishing\"}",
            "{\"id\": 6, \"text\": \"numeric id\", \"deployment\": \"phishing\"}",
            "{\"id\": \"m7\", \"text\": \"x\", \"deployment\": 7}",
            "{\"id\": \"m9\", \"text\": \"x\", \"deployment\": \"phishing\", \"record\": {\"Subject\": \"x\"}}",
            "{\"id\": \"m10\", \"deployment\": \"phishing\", \"record\": \"Subject: x\"}");

    @Test
    void requestsTheSchemaAcceptsAreAnsweredAndTheOthersDeadLettered() throws IOException {
        JsonSchema schema = schema("inference-request.schema.json");
        for (String request : VALID) {
            assertThat(schema.validate(Json.MAPPER.readTree(request))).as(request).isEmpty();
            assertThat(answer(request).predictions()).as(request).hasSize(1);
        }
        for (String request : INVALID) {
            assertThat(schema.validate(Json.MAPPER.readTree(request))).as(request).isNotEmpty();
            assertThat(answer(request).deadLetters()).as(request).hasSize(1);
        }
    }

    @Test
    void predictionsPassTheirSchema() throws IOException {
        JsonSchema schema = schema("prediction.schema.json");
        List<Prediction> predictions = batch.answer(List.of(new RequestBatch.Incoming(VALID.get(0),
                System.currentTimeMillis(), "kafka:test/0@0"))).predictions();

        assertThat(predictions).singleElement().satisfies(p -> assertThat(schema.validate(
                Json.MAPPER.readTree(Json.write(p)))).isEmpty());
    }

    private RequestBatch.Outcome answer(String request) {
        return batch.answer(List.of(new RequestBatch.Incoming(request, System.currentTimeMillis(), "kafka:test/0@0")));
    }

    private static JsonSchema schema(String file) throws IOException {
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(Json.MAPPER.readTree(Files.readString(SCHEMAS.resolve(file))));
    }
}

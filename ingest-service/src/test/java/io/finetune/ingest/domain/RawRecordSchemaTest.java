package io.finetune.ingest.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.finetune.contracts.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/schemas/raw-record.schema.json and RecordValidator must agree: every example either passes both or fails both,
 * so the published schema cannot drift from what ingest-service accepts on finetune.ingest.raw.
 */
class RawRecordSchemaTest {
    private static final Path SCHEMA = Path.of("..", "docs", "schemas", "raw-record.schema.json");
    private static JsonSchema schema;
    private static JsonNode schemaNode;
    private final RecordValidator validator = new RecordValidator(900_000, DatasetDefinition::defaults);

    @BeforeAll
    static void loadSchema() throws IOException {
        schemaNode = Json.MAPPER.readTree(Files.readString(SCHEMA));
        schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schemaNode);
    }

    private static final List<String> VALID = List.of(
            "{\"dataset\":\"imdb\",\"text\":\"  padded  \",\"label\":\"  pos \"}",
            "{\"dataset\":\"imdb\",\"text\":\"x\",\"label\":true,\"id\":42,\"split\":\"test\"}",
            "{\"dataset\":\"imdb\",\"text\":\"x\",\"label\":\"a\",\"unknown\":{\"is\":\"ignored\"}}",
            "{\"dataset\":\"imdb\",\"end\":false,\"text\":\"x\",\"label\":\"a\"}",
            "{\"dataset\":null,\"text\":\"x\",\"label\":\"a\",\"split\":null,\"id\":null}",
            "{\"dataset\":\"imdb\",\"end\":true,\"options\":{\"balance\":\"undersample\",\"seed\":7,\"testFraction\":0.2}}",
            "{\"dataset\":\"imdb\",\"text\":\"x\",\"label\":\"a\",\"origin\":{\"kind\":\"upload\"}}",
            "{\"dataset\":\"imdb\",\"text\":\"x\",\"label\":\"a\",\"origin\":null}",
            "{\"dataset\":\"imdb\",\"text\":\"x\",\"label\":\"a\",\"origin\":{\"kind\":\"review\",\"deployment\":null}}",
            "{\"text\":\"x\",\"label\":\"a\",\"origin\":{\"kind\":\"correction\",\"deployment\":\"p\",\"requestId\":\"r\"}}",
            "{\"dataset\":\"imdb\",\"end\":true,\"options\":null}",
            "{\"dataset\":\"imdb\",\"end\":true,\"options\":{\"model\":\"scratch:80\",\"maxLength\":64.0,"
                    + "\"balance\":\"OverSample\",\"validationFraction\":0,\"seed\":null}}");

    private static final List<String> INVALID = List.of(
            "[1,2]",
            "\"just a string\"",
            "{\"dataset\":\"imdb\",\"label\":\"a\"}",
            "{\"dataset\":\"imdb\",\"text\":\"   \",\"label\":\"a\"}",
            "{\"dataset\":\"imdb\",\"text\":5,\"label\":\"a\"}",
            "{\"dataset\":\"imdb\",\"text\":null,\"label\":\"a\"}",
            "{\"dataset\":\"imdb\",\"text\":\"x\"}",
            "{\"dataset\":\"imdb\",\"text\":\"x\",\"label\":\" \"}",
            "{\"dataset\":\"imdb\",\"text\":\"x\",\"label\":1.5}",
            "{\"dataset\":\"imdb\",\"text\":\"x\",\"label\":[\"a\"]}",
            "{\"dataset\":\"imdb\",\"text\":\"x\",\"label\":\"a\",\"split\":\"holdout\"}",
            "{\"dataset\":\"imdb\",\"text\":\"x\",\"label\":\"a\",\"split\":\"TRAIN\"}",
            "{\"dataset\":\"imdb\",\"text\":\"x\",\"label\":\"a\",\"split\":3}",
            "{\"dataset\":\"imdb\",\"text\":\"x\",\"label\":\"a\",\"id\":{\"a\":1}}",
            "{\"dataset\":\"../etc\",\"text\":\"x\",\"label\":\"a\"}",
            "{\"dataset\":\"a..b\",\"text\":\"x\",\"label\":\"a\"}",
            "{\"dataset\":7,\"text\":\"x\",\"label\":\"a\"}",
            "{\"dataset\":\"imdb\",\"end\":\"yes\"}",
            "{\"dataset\":\"imdb\",\"end\":true,\"options\":5}",
            "{\"dataset\":\"imdb\",\"end\":true,\"options\":{\"maxLenght\":64}}",
            "{\"dataset\":\"imdb\",\"end\":true,\"options\":{\"balance\":\"sideways\"}}",
            "{\"dataset\":\"imdb\",\"end\":true,\"options\":{\"testFraction\":2}}",
            "{\"dataset\":\"imdb\",\"end\":true,\"options\":{\"validationFraction\":-0.1}}",
            "{\"dataset\":\"imdb\",\"end\":true,\"options\":{\"maxLength\":1}}",
            "{\"dataset\":\"imdb\",\"end\":true,\"options\":{\"maxLength\":1.5}}",
            "{\"dataset\":\"imdb\",\"end\":true,\"options\":{\"maxLength\":\"128\"}}",
            "{\"dataset\":\"imdb\",\"end\":true,\"options\":{\"model\":\"scratch:lots\"}}",
            "{\"dataset\":\"imdb\",\"text\":\"x\",\"label\":\"a\",\"origin\":\"correction\"}",
            "{\"dataset\":\"imdb\",\"text\":\"x\",\"label\":\"a\",\"origin\":{}}",
            "{\"dataset\":\"imdb\",\"text\":\"x\",\"label\":\"a\",\"origin\":{\"kind\":\"Correction\"}}",
            "{\"dataset\":\"imdb\",\"text\":\"x\",\"label\":\"a\",\"origin\":{\"kind\":\"-x\"}}",
            "{\"dataset\":\"imdb\",\"text\":\"x\",\"label\":\"a\",\"origin\":{\"kind\":\"none\"}}",
            "{\"dataset\":\"imdb\",\"text\":\"x\",\"label\":\"a\",\"origin\":{\"kind\":\"correction\",\"deployment\":\"p\"}}",
            "{\"dataset\":\"imdb\",\"text\":\"x\",\"label\":\"a\",\"origin\":{\"kind\":\"correction\",\"deployment\":\"p\",\"requestId\":null}}",
            "{\"dataset\":\"imdb\",\"text\":\"x\",\"label\":\"a\",\"origin\":{\"kind\":\"upload\",\"source\":\"x\"}}",
            "{\"dataset\":\"imdb\",\"text\":\"x\",\"label\":\"a\",\"origin\":{\"kind\":\"upload\",\"deployment\":\" \"}}",
            "{\"dataset\":\"imdb\",\"text\":\"x\",\"label\":\"a\",\"origin\":{\"kind\":\"upload\",\"checkpoint\":7}}",
            "{\"dataset\":\"imdb\",\"text\":\"x\",\"label\":\"a\",\"origin\":{\"kind\":\"upload\",\"predicted\":\""
                    + "x".repeat(257) + "\"}}",
            "{\"dataset\":\"imdb\",\"text\":\"nul\\u0000here\",\"label\":\"a\"}");

    private boolean schemaAccepts(String json) throws IOException {
        return schema.validate(Json.MAPPER.readTree(json)).isEmpty();
    }

    private boolean validatorAccepts(String json) {
        // The Kafka key names the dataset when the value does not, as a producer's key would.
        return !(validator.validateRaw(json.getBytes(StandardCharsets.UTF_8), "from-key")
                instanceof Validation.Rejected);
    }

    @Test
    void validExamplesPassBothTheSchemaAndTheValidator() throws IOException {
        List<String> valid = new ArrayList<>(VALID);
        schemaNode.get("examples").forEach(example -> valid.add(example.toString()));
        for (String json : valid) {
            assertThat(schemaAccepts(json)).as("schema accepts %s", json).isTrue();
            assertThat(validatorAccepts(json)).as("validator accepts %s", json).isTrue();
        }
    }

    @Test
    void invalidExamplesFailBothTheSchemaAndTheValidator() throws IOException {
        for (String json : INVALID) {
            assertThat(schemaAccepts(json)).as("schema rejects %s", json).isFalse();
            assertThat(validatorAccepts(json)).as("validator rejects %s", json).isFalse();
        }
    }
}

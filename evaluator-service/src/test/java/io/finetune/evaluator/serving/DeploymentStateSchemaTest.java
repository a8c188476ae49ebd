package io.finetune.evaluator.serving;

import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.finetune.contracts.DeploymentState;
import io.finetune.contracts.Json;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/schemas/deployment-state.schema.json and the states the evaluator writes agree. */
class DeploymentStateSchemaTest {
    private static final Path SCHEMA = Path.of("..", "docs", "schemas", "deployment-state.schema.json");

    @Test
    void statesWithAndWithoutTextFieldsPassTheSchemaAndABadNameOrLengthDoesNot() throws IOException {
        JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(Json.MAPPER.readTree(Files.readString(SCHEMA)));
        DeploymentState mail = new DeploymentState(DeploymentState.VERSION, "phishing", "job-9-epoch-2",
                List.of("subject", "body"), 128, Instant.now());
        DeploymentState old = new DeploymentState(DeploymentState.VERSION, "old", "ckpt-a", null, 64, Instant.now());

        for (DeploymentState state : List.of(mail, old)) {
            assertThat(schema.validate(Json.MAPPER.readTree(Json.write(state)))).as(state.name()).isEmpty();
        }
        String badName = Json.write(mail).replace("\"name\":\"phishing\"", "\"name\":\"Phishing!\"");
        assertThat(schema.validate(Json.MAPPER.readTree(badName))).isNotEmpty();
        String noLength = Json.write(mail).replace("\"maxLength\":128", "\"maxLength\":0");
        assertThat(schema.validate(Json.MAPPER.readTree(noLength))).isNotEmpty();
    }
}

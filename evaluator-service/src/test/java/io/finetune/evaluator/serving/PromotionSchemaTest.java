package io.finetune.evaluator.serving;

import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.finetune.contracts.Json;
import io.finetune.contracts.PromotionDecision;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/schemas/promotion-decision.schema.json and the decisions the evaluator writes agree. */
class PromotionSchemaTest {
    private static final Path SCHEMA = Path.of("..", "docs", "schemas", "promotion-decision.schema.json");

    @Test
    void decisionsWithAndWithoutScoresPassTheSchemaAndAnUnknownOutcomeDoesNot() throws IOException {
        JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(Json.MAPPER.readTree(Files.readString(SCHEMA)));
        PromotionPolicy policy = PromotionPolicy.of("log_loss", 0.05, null);
        PromotionRule.Verdict verdict = PromotionRule.judge(policy, 0.4, 0.3);
        PromotionDecision promoted = new PromotionDecision(PromotionDecision.VERSION, "phishing",
                PromotionDecision.PROMOTED, "ckpt-a", "ckpt-b", policy.metric(), policy.greaterIsBetter(),
                policy.minImprovement(), 0.4, 0.3, new PromotionDecision.EvaluationSet("mails", "b1", "holdout", 40),
                verdict.reason(), Instant.now());
        PromotionDecision unscored = new PromotionDecision(PromotionDecision.VERSION, "phishing",
                PromotionDecision.KEPT, "ckpt-a", "ckpt-c", policy.metric(), false, 0.05, null, null, null,
                "dataset 'mails' build b2 has no promotion holdout", Instant.now());

        for (PromotionDecision decision : new PromotionDecision[]{promoted, unscored}) {
            assertThat(schema.validate(Json.MAPPER.readTree(Json.write(decision)))).as(decision.outcome()).isEmpty();
        }
        assertThat(Json.write(promoted)).doesNotContain("\"promoted\":true"); // outcome says it, once
        String other = Json.write(promoted).replace("\"outcome\":\"promoted\"", "\"outcome\":\"maybe\"");
        assertThat(schema.validate(Json.MAPPER.readTree(other))).isNotEmpty();
    }
}

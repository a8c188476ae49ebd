package io.finetune.evaluator.serving;

import io.finetune.evaluator.config.EvaluatorConfig.Role;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServingRoleTest {
    @Test
    void theEvaluatorServesWithTheIdItIsGiven() {
        assertThat(ServingRole.transactionalId(Role.EVALUATOR, "evaluator-serving")).isEqualTo("evaluator-serving");
    }

    @Test
    void aReplicaServesWithAnIdOfItsOwnUnderTheEvaluatorsPrefix() {
        assertThat(ServingRole.transactionalId(Role.SERVING, "evaluator-serving-0")).isEqualTo("evaluator-serving-0");
        assertThat(ServingRole.transactionalId(Role.SERVING, "evaluator-serving-7b9f-x"))
                .isEqualTo("evaluator-serving-7b9f-x");
    }

    @Test
    void aReplicaOnTheEvaluatorsIdOrOutsideThePrefixRefusesToStartAndSaysWhy() {
        for (String id : new String[]{"evaluator-serving", "evaluator-serving-", "serving-0", "evaluator-servingx"}) {
            assertThatThrownBy(() -> ServingRole.transactionalId(Role.SERVING, id))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("serving.transactional-id")
                    .hasMessageContaining("'evaluator-serving-'")
                    .hasMessageContaining("'" + id + "'");
        }
    }
}

package io.finetune.evaluator.domain;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.finetune.contracts.EvaluationResult;
import io.finetune.contracts.Json;

/**
 * An evaluation as this service keeps and serves it: the published {@link EvaluationResult} plus the binary
 * ranking metrics the contract has no field for yet (null for tasks with more than two classes).
 */
public record EvaluatedCheckpoint(EvaluationResult result, Double rocAuc, Double averagePrecision) {

    /** The published event's JSON with the extra metrics beside its fields, so REST clients read one shape. */
    public ObjectNode toJson() {
        ObjectNode node = Json.MAPPER.valueToTree(result);
        if (rocAuc != null) {
            node.put("rocAuc", rocAuc);
        }
        if (averagePrecision != null) {
            node.put("averagePrecision", averagePrecision);
        }
        return node;
    }
}

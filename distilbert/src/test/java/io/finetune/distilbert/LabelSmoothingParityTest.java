package io.finetune.distilbert;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The loss with label smoothing, with and without class weights, against torch's
 * {@code cross_entropy(weight=..., label_smoothing=...)}: the batch loss training backpropagates and the per-example
 * sum validation reports. Runs where {@code FINETUNE_TRANSFORMERS_PYTHON} names a Python with torch (CI sets it).
 */
class LabelSmoothingParityTest {
    private static final String SCRIPT = """
            import json, sys, torch
            import torch.nn.functional as F
            case = json.loads(sys.argv[1])
            logits = torch.tensor(case["logits"], dtype=torch.float64)
            labels = torch.tensor(case["labels"])
            weight = torch.tensor(case["weights"], dtype=torch.float64) if case["weights"] else None
            print(json.dumps(F.cross_entropy(logits, labels, weight=weight, label_smoothing=case["eps"]).item()))
            """;

    @Test
    void smoothedLossMatchesTorchWithAndWithoutClassWeights() throws Exception {
        String python = System.getenv("FINETUNE_TRANSFORMERS_PYTHON");
        assumeTrue(python != null && !python.isBlank(), "FINETUNE_TRANSFORMERS_PYTHON is not set");
        Random random = new Random(5);
        float[][] logits = new float[7][3];
        int[] labels = new int[7];
        for (int i = 0; i < logits.length; i++) {
            for (int c = 0; c < 3; c++) {
                logits[i][c] = (float) (random.nextGaussian() * 2);
            }
            labels[i] = random.nextInt(3);
        }
        for (List<Double> weights : Arrays.asList(null, List.of(1.0, 3.5, 0.5))) {
            double eps = 0.1;
            double expected = torch(python, logits, labels, weights, eps);
            ClassWeights loss = new ClassWeights(weights, 3, eps);
            try (NDManager manager = NDManager.newBaseManager()) {
                double batch = loss.loss(manager, manager.create(logits), labels).toType(
                        ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
                assertThat(batch).as("batch loss, weights %s", weights).isCloseTo(expected, within(1e-5));
            }
            double sum = 0;
            double weightSum = 0;
            for (int i = 0; i < logits.length; i++) {
                sum += loss.weightedLoss(logits[i], labels[i]);
                weightSum += loss.of(labels[i]);
            }
            assertThat(sum / weightSum).as("validation loss, weights %s", weights).isCloseTo(expected, within(1e-6));
        }
    }

    private static double torch(String python, float[][] logits, int[] labels, List<Double> weights, double eps)
            throws Exception {
        ObjectMapper json = new ObjectMapper();
        double[][] asDouble = new double[logits.length][];
        for (int i = 0; i < logits.length; i++) {
            asDouble[i] = new double[logits[i].length];
            for (int c = 0; c < logits[i].length; c++) {
                asDouble[i][c] = logits[i][c];
            }
        }
        java.util.Map<String, Object> caseJson = new java.util.LinkedHashMap<>();
        caseJson.put("logits", asDouble);
        caseJson.put("labels", labels);
        caseJson.put("weights", weights);
        caseJson.put("eps", eps);
        Process process = new ProcessBuilder(python, "-c", SCRIPT, json.writeValueAsString(caseJson)).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(err).isZero();
        JsonNode value = json.readTree(out.strip());
        return value.asDouble();
    }
}

package io.finetune.distilbert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

/** A golden.json file: inputs and float64 reference outputs of the Hugging Face math for one checkpoint. */
record Golden(
        List<String> texts,
        long[][] inputIds,
        long[][] attentionMask,
        long[] labels,
        double[][] logits,
        double[][] clsHiddenState,
        double crossEntropyLossMean,
        Map<String, Double> gradL2Norms,
        Map<String, double[]> gradSamples,
        double logitsTolerance,
        double lossTolerance,
        double gradRelativeTolerance) {

    static Golden read(String resource) {
        try (InputStream in = Golden.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("No test resource " + resource);
            }
            JsonNode g = new ObjectMapper().readTree(in);
            Map<String, Double> norms = new LinkedHashMap<>();
            g.get("grad_l2_norms").fields().forEachRemaining(e -> norms.put(e.getKey(), e.getValue().asDouble()));
            Map<String, double[]> samples = new LinkedHashMap<>();
            g.get("grad_samples").fields().forEachRemaining(e -> samples.put(e.getKey(), doubles(e.getValue())));
            JsonNode tol = g.get("tolerance");
            return new Golden(
                    StreamSupport.stream(g.get("texts").spliterator(), false).map(JsonNode::asText).toList(),
                    longMatrix(g.get("input_ids")), longMatrix(g.get("attention_mask")), longs(g.get("labels")),
                    matrix(g.get("logits")), matrix(g.get("cls_hidden_state")),
                    g.get("cross_entropy_loss_mean").asDouble(), norms, samples,
                    tol.get("logits_abs").asDouble(), tol.get("loss_abs").asDouble(), tol.get("grad_rel").asDouble());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The input ids of row {@code i} without padding. */
    long[] unpaddedIds(int i) {
        int n = 0;
        for (long m : attentionMask[i]) {
            n += (int) m;
        }
        return java.util.Arrays.copyOf(inputIds[i], n);
    }

    private static double[] doubles(JsonNode n) {
        double[] out = new double[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = n.get(i).asDouble();
        }
        return out;
    }

    private static long[] longs(JsonNode n) {
        long[] out = new long[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = n.get(i).asLong();
        }
        return out;
    }

    private static double[][] matrix(JsonNode n) {
        double[][] out = new double[n.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = doubles(n.get(i));
        }
        return out;
    }

    private static long[][] longMatrix(JsonNode n) {
        long[][] out = new long[n.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = longs(n.get(i));
        }
        return out;
    }
}

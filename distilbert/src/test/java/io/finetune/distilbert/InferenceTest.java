package io.finetune.distilbert;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class InferenceTest {

    @TempDir
    Path temp;

    @Test
    void batchedPredictionsDoNotDependOnPadding() {
        Path dir = BundledModels.extract(BundledModels.DEMO_MODEL, temp.resolve("tiny"));
        Golden golden = Golden.read("/golden/distilbert-tiny.json");
        List<int[]> inputs = java.util.stream.IntStream.range(0, golden.texts().size())
                .mapToObj(i -> java.util.Arrays.stream(golden.unpaddedIds(i)).mapToInt(Math::toIntExact).toArray())
                .toList();
        try (EncoderClassifier model = EncoderClassifier.load(dir, null, Device.cpu())) {
            float[][] batched = Predictor.logits(model, inputs, 4);
            float[][] probabilities = Predictor.probabilities(model, inputs, 6);
            for (int i = 0; i < inputs.size(); i++) {
                float[] alone = Predictor.logits(model, List.of(inputs.get(i)), 1)[0];
                for (int j = 0; j < alone.length; j++) {
                    assertThat(batched[i][j]).isCloseTo(alone[j], within(1e-4f));
                    assertThat((double) batched[i][j]).isCloseTo(golden.logits()[i][j], within(1e-4));
                }
                float sum = 0;
                for (float p : probabilities[i]) {
                    sum += p;
                }
                assertThat(sum).isCloseTo(1f, within(1e-5f));
            }
        }
    }

    @Test
    void scoreCliPrintsOneJsonLinePerText() throws Exception {
        Path dir = BundledModels.extract(BundledModels.DEMO_MODEL, temp.resolve("tiny"));
        Golden golden = Golden.read("/golden/distilbert-tiny.json");
        ObjectMapper json = new ObjectMapper();
        Path input = temp.resolve("in.jsonl");
        StringBuilder lines = new StringBuilder();
        for (String text : golden.texts()) {
            lines.append(json.writeValueAsString(java.util.Map.of("text", text))).append('\n');
        }
        Files.writeString(input, lines);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ScoreCli.score(dir, input, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        List<String> out = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(out).hasSize(golden.texts().size());
        for (int i = 0; i < out.size(); i++) {
            JsonNode row = json.readTree(out.get(i));
            assertThat(json.convertValue(row.get("input_ids"), long[].class)).containsExactly(golden.unpaddedIds(i));
            double[] logits = json.convertValue(row.get("logits"), double[].class);
            for (int j = 0; j < logits.length; j++) {
                assertThat(logits[j]).isCloseTo(golden.logits()[i][j], within(1e-4));
            }
            String expected = logits[0] >= logits[1] ? "NEGATIVE" : "POSITIVE";
            assertThat(row.get("label").asText()).isEqualTo(expected);
            assertThat(row.get("probabilities").get("POSITIVE").asDouble()
                    + row.get("probabilities").get("NEGATIVE").asDouble()).isCloseTo(1.0, within(1e-9));
        }
    }

    @Test
    void unknownBundledModelIsReported() {
        assertThatThrownBy(() -> BundledModels.extract("no-such-model", temp.resolve("x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no-such-model");
    }
}

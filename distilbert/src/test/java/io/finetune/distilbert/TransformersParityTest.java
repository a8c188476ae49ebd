package io.finetune.distilbert;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.finetune.distilbert.scratch.ScratchModels;
import io.finetune.distilbert.scratch.ScratchShape;
import io.finetune.distilbert.vocab.WordPieceVocabularyBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * This implementation against Hugging Face {@code transformers} itself, run by {@code src/test/python/
 * transformers_check.py} in the Python that {@code FINETUNE_TRANSFORMERS_PYTHON} names (made by
 * {@code bin/transformers-venv}, which CI runs). The golden fixtures pin the model's math; this pins what users
 * depend on: a model this trainer saved loads with {@code from_pretrained} unchanged and scores the same (a
 * fine-tuned one, and one from scratch with the WordPiece vocabulary built here), a checkpoint
 * {@code save_pretrained} wrote loads here and scores the same, and the first training steps are the steps HF
 * Trainer takes (cross-entropy, clipping, AdamW with HF's weight-decay groups, linear schedule).
 */
class TransformersParityTest {

    private static final String PYTHON_VARIABLE = "FINETUNE_TRANSFORMERS_PYTHON";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TEXTS = List.of(
            "A wonderful, moving film with a great cast.",
            "Dull plot and wooden acting; I left early.",
            "ok",
            "Not bad at all... though the ending dragged on and on and ON.",
            "Ünïcödé, émojis 🎬 and numbers 12345 still tokenize.",
            "terrible terrible terrible");

    private static Path python;

    @BeforeAll
    static void transformersAtHand() {
        String configured = System.getenv(PYTHON_VARIABLE);
        assumeTrue(configured != null && !configured.isBlank(), PYTHON_VARIABLE + " is not set: run"
                + " bin/transformers-venv and export what it prints to compare with transformers itself");
        python = Path.of(configured);
        assertThat(python).as(PYTHON_VARIABLE).isExecutable();
    }

    @Test
    void aModelThisTrainerSavedLoadsInTransformersUnchangedAndScoresTheSame(@TempDir Path dir) throws Exception {
        Path base = BundledModels.extract(BundledModels.DEMO_MODEL, dir.resolve("base"));
        Path saved = dir.resolve("fine-tuned");
        TrainingConfig config = TrainingConfig.defaults().withLearningRate(5e-4).withBatchSize(8).withEpochs(1)
                .withSeed(3);
        try (EncoderClassifier model = EncoderClassifier.load(base, List.of("NEGATIVE", "POSITIVE"),
                Device.cpu())) {
            new FineTuner(config).train(model, SyntheticSentiment.examples(base, 96, 5), List.of(), null);
            model.save(saved);
        }
        EncoderClassifier.copyTokenizerFiles(base, saved);

        assertSameScores(saved, dir.resolve("texts.jsonl"));
    }

    /** A BERT fine-tuned here from a base {@code BertModel} checkpoint (new pooler-fed head, three labels). */
    @Test
    void aBertModelThisTrainerSavedLoadsInTransformersUnchangedAndScoresTheSame(@TempDir Path dir) throws Exception {
        Path base = BundledModels.extract("bert-d32-base", dir.resolve("base"));
        Path saved = dir.resolve("fine-tuned");
        TrainingConfig config = TrainingConfig.defaults().withLearningRate(5e-4).withBatchSize(8).withEpochs(1)
                .withSeed(3);
        try (EncoderClassifier model = EncoderClassifier.load(base, List.of("neg", "mixed", "pos"), Device.cpu())) {
            new FineTuner(config).train(model, SyntheticSentiment.examples(base, 96, 5), List.of(), null);
            model.save(saved);
        }
        EncoderClassifier.copyTokenizerFiles(base, saved);

        assertSameScores(saved, dir.resolve("texts.jsonl"));
    }

    @Test
    void aModelFromScratchWithItsOwnVocabularyLoadsInTransformersAndScoresTheSame(@TempDir Path dir)
            throws Exception {
        Path tokenizer = dir.resolve("tokenizer");
        WordPieceVocabularyBuilder builder = new WordPieceVocabularyBuilder(150, 1);
        TEXTS.forEach(builder::add);
        builder.add("a wonderful film with a moving story").add("a dull film with a boring story").build()
                .write(tokenizer, ScratchModels.MAX_POSITIONS);
        Path saved = dir.resolve("scratch");
        try (EncoderClassifier model = ScratchModels.create(tokenizer, List.of("neg", "pos"), ScratchShape.TINY,
                7, Device.cpu())) {
            model.save(saved);
        }
        EncoderClassifier.copyTokenizerFiles(tokenizer, saved);

        assertSameScores(saved, dir.resolve("texts.jsonl"));
    }

    @ParameterizedTest
    @EnumSource(ModelFamily.class)
    void aCheckpointTransformersWroteLoadsHereAndScoresTheSame(ModelFamily family, @TempDir Path dir) throws Exception {
        Path tokenizer = BundledModels.extract(BundledModels.DEMO_MODEL, dir.resolve("tokenizer"));
        Path written = dir.resolve("written");
        // Another shape than the fixture's, three labels, and transformers' own save_pretrained output.
        python("make", written.toString(), tokenizer.toString(), "48", "80", "3", "4", "3", "11", family.modelType());

        assertSameScores(written, dir.resolve("texts.jsonl"));
    }

    /**
     * Three steps, because the first alone cannot tell much: AdamW's first update is ±lr whatever the gradient's
     * scale, so clipping shows only from the second step on. The learning rate and weight decay are large and the
     * clipping threshold small so that each part moves the weights far more than float32 rounding does.
     */
    @ParameterizedTest
    @EnumSource(ModelFamily.class)
    void theFirstTrainingStepsAreTheStepsHfTrainerTakes(ModelFamily family, @TempDir Path dir) throws Exception {
        compareFirstSteps(family, Precision.FP32, dir);
    }

    /**
     * bf16=True: the same three steps with the forward passes under torch.autocast(bfloat16) on the Python side and
     * under libtorch's autocast here. Both round the same products to bfloat16, but not always in the same order or
     * at the same points (transformers' attention and this encoder's differ in where the scale is applied and in
     * softmax's precision), so the comparison is looser than float32's: see the tolerances in compareFirstSteps.
     */
    @ParameterizedTest
    @EnumSource(ModelFamily.class)
    void theFirstBf16StepsFollowTorchAutocast(ModelFamily family, @TempDir Path dir) throws Exception {
        assumeTrue(Autocast.unsupportedReason(Precision.BF16, Device.cpu()).isEmpty(),
                () -> Autocast.unsupportedReason(Precision.BF16, Device.cpu()).orElseThrow());
        compareFirstSteps(family, Precision.BF16, dir);
    }

    /**
     * fp16=True: the steps under autocast float16 with loss scaling, against torch.autocast(float16) and
     * torch.amp.GradScaler. libtorch computes float16 on any CPU (emulated where the CPU has no float16 units), so
     * this runs everywhere. Two starting scales: GradScaler's default, where every step applies, and 2^40, where
     * the scaled gradients overflow float16 and steps are skipped while the scale backs off until they fit; both
     * sides must skip the same steps, reach the same scale and, skipping, hold back AdamW and the schedule alike.
     */
    @ParameterizedTest
    @EnumSource(ModelFamily.class)
    void theFirstFp16StepsFollowTorchAutocastAndGradScaler(ModelFamily family, @TempDir Path dir) throws Exception {
        compareFirstSteps(family, Precision.FP16, dir);
    }

    @Test
    void fp16StepsWithOverflowingGradientsAreSkippedAsGradScalerSkipsThem(@TempDir Path dir) throws Exception {
        compareFirstSteps(ModelFamily.BERT, Precision.FP16, 0x1p24, 8, dir);
    }

    private void compareFirstSteps(ModelFamily family, Precision precision, Path dir) throws Exception {
        compareFirstSteps(family, precision, LossScaler.DEFAULT_INITIAL_SCALE, 3, dir);
    }

    private void compareFirstSteps(ModelFamily family, Precision precision, double initialScale, int steps, Path dir)
            throws Exception {
        boolean mixed = precision != Precision.FP32;
        // float32 against float64: 1e-5 relative. In bfloat16 (8 significant bits) the two sides' gradients differ
        // by a few per cent, and AdamW's normalised step can turn that into most of an update (lr = 1e-3) on a
        // weight whose gradient is near zero (0.6 of one on a DistilBERT bias): single values are compared in
        // float32 only. Losses agree to 2e-3 and norms to 2e-4 relative; a wrong learning rate, decay or clipping
        // moves them more.
        // float16 keeps 11 significant bits, more than bfloat16: the same tolerances hold with room to spare.
        double lossTolerance = mixed ? 2e-3 : 1e-5;
        double normTolerance = mixed ? 2e-4 : 1e-5;
        Path tokenizer = BundledModels.extract(BundledModels.DEMO_MODEL, dir.resolve("tokenizer"));
        Path model = dir.resolve("model");
        python("make", model.toString(), tokenizer.toString(), "32", "64", "2", "4", "3", "5", family.modelType());
        // Both sides then take the same deterministic steps; the config is rewritten by this side's writer.
        Path configJson = model.resolve("config.json");
        EncoderConfig.read(configJson).withoutDropout().write(configJson);

        List<Example> batch = new ArrayList<>();
        try (TextTokenizer encoder = TextTokenizer.load(model, 64)) {
            for (int i = 0; i < TEXTS.size(); i++) {
                batch.add(new Example(encoder.encode(TEXTS.get(i)).intIds(), i % 3));
            }
        }
        int totalSteps = 10;
        double lr = 1e-3;
        double weightDecay = 0.1;
        double maxGradNorm = 1e-3; // a random model's gradients are small (norm about 3e-3)
        CheckpointLayout names = family.layout();
        List<String> report = List.of(names.wordEmbeddings() + ".weight", names.embeddingNorm() + ".weight",
                names.layer(0).query() + ".weight", names.layer(1).output() + ".bias",
                names.layer(1).outputNorm() + ".weight", names.pooler() + ".weight", names.classifier() + ".bias");
        Map<String, Object> request = new java.util.LinkedHashMap<>(padded(batch));
        request.putAll(Map.of("report", report, "steps", steps, "total_steps", totalSteps, "lr", lr,
                "weight_decay", weightDecay, "max_grad_norm", maxGradNorm, "precision", precision.flag(),
                "init_scale", initialScale));
        JsonNode reference = JSON.readTree(python("step", model.toString(),
                write(dir.resolve("batch.json"), request, Map.of())).get(0));
        // In mixed precision, the exact (float64) steps too: see the weight norms below.
        JsonNode exact = mixed ? JSON.readTree(python("step", model.toString(), write(dir.resolve("exact.json"),
                request, Map.of("precision", "fp32"))).get(0)) : reference;
        List<Boolean> skipped = new ArrayList<>();
        reference.get("skipped").forEach(s -> skipped.add(s.asBoolean()));
        if (initialScale == LossScaler.DEFAULT_INITIAL_SCALE) {
            assertThat(skipped).as("no step skipped at the default scale").containsOnly(false);
            assertThat(reference.get("grad_norms").get(1).asDouble()).as("clipping takes part")
                    .isGreaterThan(maxGradNorm);
        } else {
            System.out.println("fp16 from scale " + initialScale + ": skipped " + skipped + ", scales "
                    + reference.get("scales"));
            assertThat(skipped).as("steps skipped while the scale backs off, then applied").contains(true, false);
        }

        // One batch of all six texts a step, so totalSteps epochs make the same linear decay over totalSteps steps.
        TrainingConfig config = TrainingConfig.defaults().withLearningRate(lr).withBatchSize(batch.size())
                .withEpochs(totalSteps).withWarmupRatio(0).withWeightDecay(weightDecay).withMaxGradNorm(maxGradNorm)
                .withPrecision(precision).withInitialLossScale(initialScale);
        List<Double> losses = new ArrayList<>();
        List<Double> rates = new ArrayList<>();
        try (EncoderClassifier java = EncoderClassifier.load(model, null, Device.cpu())) {
            new FineTuner(config).train(java, batch, List.of(), new TrainingListener() {
                @Override
                public void onStep(StepProgress progress) {
                    losses.add(progress.loss());
                    rates.add(progress.learningRate());
                }

                @Override
                public boolean isCancelled() {
                    return losses.size() >= steps;
                }
            });
            assertThat(losses).hasSize(steps);
            for (int s = 0; s < steps; s++) {
                assertThat(losses.get(s)).as("loss of step " + (s + 1))
                        .isCloseTo(reference.get("losses").get(s).asDouble(), within(lossTolerance));
                // The schedule stands still over skipped steps: the rates show which steps each side skipped.
                assertThat(rates.get(s)).as("learning rate of step " + (s + 1))
                        .isCloseTo(reference.get("lrs").get(s).asDouble(), within(1e-12));
            }
            for (String name : report) {
                float[] values = java.parameters().get(name).toFloatArray();
                JsonNode expected = reference.get("weights").get(name);
                double expectedNorm = expected.get("norm").asDouble();
                // Each part of the step moves the norms by more than the tolerance: weight decay alone by 3e-4
                // relative, a wrong learning rate or clipping by a sizeable part of the updates.
                // bf16 and fp16 only: plus 2% of the largest total update (every element moved by lr each step), which is
                // all there is to the norm of a bias that started at zero.
                double updateNorm = steps * lr * Math.sqrt(values.length);
                double tolerance = normTolerance * expectedNorm + (mixed ? 0.02 * updateNorm : 0);
                // Mixed precision: within that of torch's autocast, or of the exact result. Where they part, this
                // side can be the closer to exact: torch's float16 run put one DistilBERT bias's norm 6% off the
                // float64 value, this side 0.2% (its residual additions promote to float32, see training.md).
                double exactNorm = exact.get("weights").get(name).get("norm").asDouble();
                assertThat(Math.min(Math.abs(norm(values) - expectedNorm), Math.abs(norm(values) - exactNorm)))
                        .as(name + " norm after " + steps + " steps: " + norm(values) + ", torch " + expectedNorm
                                + (mixed ? ", exact " + exactNorm : ""))
                        .isLessThanOrEqualTo(tolerance);
                for (int i = 0; !mixed && i < expected.get("first").size(); i++) {
                    assertThat((double) values[i]).as(name + "[" + i + "]")
                            .isCloseTo(expected.get("first").get(i).asDouble(), within(1e-6));
                }
            }
        }
    }

    /** Writes {@code request} with {@code changes} applied to {@code file}; returns the file's path. */
    private static String write(Path file, Map<String, Object> request, Map<String, Object> changes)
            throws IOException {
        Map<String, Object> out = new java.util.LinkedHashMap<>(request);
        out.putAll(changes);
        JSON.writeValue(file.toFile(), out);
        return file.toString();
    }

    private void assertSameScores(Path modelDir, Path textsFile) throws Exception {
        List<String> lines = new ArrayList<>();
        for (String text : TEXTS) {
            lines.add(JSON.writeValueAsString(Map.of("text", text)));
        }
        Files.write(textsFile, lines, StandardCharsets.UTF_8);
        ByteArrayOutputStream javaOut = new ByteArrayOutputStream();
        ScoreCli.score(modelDir, textsFile, new PrintStream(javaOut, true, StandardCharsets.UTF_8));
        List<String> javaLines = javaOut.toString(StandardCharsets.UTF_8).lines().toList();
        List<String> hfLines = python("score", modelDir.toString(), textsFile.toString());

        assertThat(javaLines).hasSameSizeAs(TEXTS);
        assertThat(hfLines).hasSameSizeAs(TEXTS);
        for (int i = 0; i < TEXTS.size(); i++) {
            JsonNode ours = JSON.readTree(javaLines.get(i));
            JsonNode theirs = JSON.readTree(hfLines.get(i));
            assertThat(ours.get("input_ids")).as("input_ids of " + TEXTS.get(i)).isEqualTo(theirs.get("input_ids"));
            assertThat(ours.get("label")).as("label of " + TEXTS.get(i)).isEqualTo(theirs.get("label"));
            assertThat(ours.get("logits")).hasSameSizeAs(theirs.get("logits"));
            for (int c = 0; c < theirs.get("logits").size(); c++) {
                assertThat(ours.get("logits").get(c).asDouble()).as("logit " + c + " of " + TEXTS.get(i))
                        .isCloseTo(theirs.get("logits").get(c).asDouble(), within(1e-5));
            }
        }
    }

    /** The batch as the Python side takes it: padded with the pad id 0 to the longest text, as Batches.pad does. */
    private static Map<String, Object> padded(List<Example> batch) {
        int length = batch.stream().mapToInt(e -> e.inputIds().length).max().orElseThrow();
        List<int[]> ids = new ArrayList<>();
        List<int[]> mask = new ArrayList<>();
        for (Example e : batch) {
            int[] row = new int[length];
            int[] ones = new int[length];
            System.arraycopy(e.inputIds(), 0, row, 0, e.inputIds().length);
            java.util.Arrays.fill(ones, 0, e.inputIds().length, 1);
            ids.add(row);
            mask.add(ones);
        }
        return Map.of("input_ids", ids, "attention_mask", mask,
                "labels", batch.stream().map(Example::label).toList());
    }

    private static double norm(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += (double) v * v;
        }
        return Math.sqrt(sum);
    }

    /** Runs transformers_check.py; its stdout lines, or a failure with its stderr. */
    private static List<String> python(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(python.toString(), script().toString()));
        command.addAll(List.of(args));
        Path err = Files.createTempFile("transformers-check", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("transformers_check.py finished").isTrue();
            assertThat(process.exitValue()).as("transformers_check.py %s failed: %s", args[0],
                    Files.readString(err)).isZero();
            return out.lines().filter(l -> !l.isBlank()).toList();
        } finally {
            Files.deleteIfExists(err);
        }
    }

    private static Path script() {
        Path script = Path.of("src/test/python/transformers_check.py");
        assertThat(script).as("run from the distilbert module").isRegularFile();
        return script;
    }
}

package io.finetune.evaluator.report;

import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.ClassMetrics;
import io.finetune.contracts.CleaningReport;
import io.finetune.contracts.EvaluationResult;
import io.finetune.contracts.Hyperparameters;
import io.finetune.contracts.Json;
import io.finetune.contracts.ShardManifest;
import io.finetune.evaluator.domain.EvaluatedCheckpoint;
import io.finetune.evaluator.domain.Finding;
import io.finetune.evaluator.domain.ModelFacts;
import io.finetune.evaluator.domain.WrongExample;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ReportPageTest {
    @Test
    void textFromTheDatasetIsEscapedNotRendered() {
        String label = "<b>bold</b>";
        EvaluationResult result = new EvaluationResult(EvaluationResult.VERSION, "job", "ckpt", "d", 1, 1L, "test", 2,
                0.5, 0.7, 0.5, 0.5, List.of(label, "ok"), List.of(new ClassMetrics(label, 1, 0.5, 0.66, 2),
                new ClassMetrics("ok", 0, 0, 0, 0)), new int[][]{{1, 1}, {0, 0}}, Instant.EPOCH, null, null, 0.1,
                List.of(new EvaluationResult.LengthBucket(1, 16, 2, 0.5)), "bf16");
        EvaluatedCheckpoint evaluation = new EvaluatedCheckpoint(result, null, null, null, List.of(
                new WrongExample("e1", label, "ok", 0.97, 5, "<script>alert('x')</script> & more")), 1, null);

        String html = ReportPage.render(evaluation, List.of(new Finding("label-noise", "Suspected label noise",
                "1 of 2 <wrong>", "fix labels")));

        assertThat(html).doesNotContain("<script>", "<b>bold", "<wrong>")
                .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more", "&lt;b&gt;bold&lt;/b&gt;",
                        "id=\"finding-label-noise\"", "0.9700");
        assertThat(html).as("the arithmetic beside the other facts of the run").contains("evaluated "
                + Instant.EPOCH + " in bf16</p>");
        assertThat(html.split("<svg", -1)).hasSize(3); // confusion matrix and accuracy by length only
        assertThat(html).as("no checkpoint.json, no guards").doesNotContain("Transfer learning guards");
    }

    /** Every text that comes from a job, a dataset or a checkpoint goes through the template's HTML escaping. */
    @Test
    void noTextFromOutsideBecomesMarkup() {
        String x = "<script>alert(\"x\")</script>";
        EvaluationResult result = new EvaluationResult(EvaluationResult.VERSION, "job" + x, "ckpt" + x, "d" + x, 1,
                1L, "test" + x, 2, 0.5, 0.7, 0.5, 0.5, List.of("a" + x, "b"), List.of(
                new ClassMetrics("a" + x, 1, 0.5, 0.66, 2), new ClassMetrics("b", 0, 0, 0, 0)),
                new int[][]{{1, 1}, {0, 0}}, Instant.EPOCH, null, null, null, null, "fp32" + x);
        ShardManifest manifest = new ShardManifest(ShardManifest.VERSION, "d", "build" + x, List.of("a" + x, "b"),
                Map.of(), Map.of("train" + x, Map.of("a" + x, 3, "b", 4)), "tok" + x, "m", 64, "h",
                new CleaningReport(List.of(new CleaningReport.Step("strip" + x, 10, 9, "detail" + x)), 1, 0, 2,
                        null, Map.of(16, 5, 32, 4)), null);
        EvaluatedCheckpoint evaluation = new EvaluatedCheckpoint(result, checkpoint("base" + x, null, false),
                manifest, null, List.of(new WrongExample("id" + x, "a" + x, "b", 0.9, 5, "text" + x)), 1,
                new ModelFacts("distilbert" + x, 64));

        String html = ReportPage.render(evaluation, List.of(new Finding("code" + x, "title" + x, "evidence" + x,
                "suggestion" + x)));

        assertThat(html).doesNotContain("<script").contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
        for (String text : List.of("job", "ckpt", "title", "evidence", "suggestion", "id", "text", "build", "tok",
                "strip", "detail", "train", "base", "fp32", "distilbert")) {
            assertThat(html).as(text).contains(text + "&lt;script&gt;");
        }
        assertThat(html).contains("<table id=\"labels\">", "<table id=\"cleaning\">", "1 duplicates removed",
                "<h2>Training</h2>", "64 positions)");
        assertThat(html.split("<svg", -1)).hasSize(4); // confusion matrix, loss by epoch, token lengths
    }

    @Test
    void aPretrainedRunShowsItsTransferLearningGuards() {
        String html = ReportPage.render(evaluation(checkpoint("distilbert-base-uncased", """
                {"learningRate": 2e-5, "epochs": 5, "earlyStoppingPatience": 1, "metricForBestModel": "loss",
                 "warmupRatio": 0.1, "weightDecay": 0.01, "freezeEmbeddings": true, "freezeLayers": 2}""", true)),
                List.of());

        assertThat(html).contains("<h2>Transfer learning guards</h2>", "Fine-tuned from pretrained <b>"
                        + "distilbert-base-uncased</b>", "catastrophic forgetting", "id=\"transfer-guards\"")
                .contains(row("learning rate", "2e-5 (BERT fine-tuning range 2e-5 to 5e-5)"),
                        row("epochs", "3 run of 5 planned"),
                        row("early stopping", "patience 1 on validation loss: stopped early"),
                        row("kept checkpoint", "epoch 2, the best by validation loss"),
                        row("warmup", "10% of the steps"), row("weight decay", "0.01"),
                        row("frozen", "the embeddings and the lowest 2 layer(s)"))
                .doesNotContain("predates recorded settings");
        assertThat(html).as("a result without a recorded precision was computed in float32")
                .contains("evaluated " + Instant.EPOCH + " in fp32</p>");
        assertThat(html.indexOf("Transfer learning guards")).as("right after the advice")
                .isBetween(html.indexOf("What to do next"), html.indexOf("<h2>Metrics"));
    }

    @Test
    void aRunThatKeptItsLastWeightsDoesNotClaimTheBest() {
        String html = ReportPage.render(evaluation(checkpoint("distilbert-base-uncased", """
                {"epochs": 3, "metricForBestModel": "macro_f1", "loadBestModelAtEnd": false}""", false)), List.of());

        assertThat(html).contains(row("kept checkpoint", "epoch 2, the last (loadBestModelAtEnd false)"))
                .doesNotContain("the best by validation");
    }

    @Test
    void aRunFromScratchHasNoPretrainedKnowledgeToLose() {
        String html = ReportPage.render(evaluation(checkpoint("scratch:small", null, false)), List.of());

        assertThat(html).contains("<h2>Transfer learning guards</h2>", "Trained from scratch (<b>scratch:small</b>)",
                        "no pretrained knowledge to lose", "pretrained base model usually helps most on small data",
                        "predates recorded settings")
                .contains(row("learning rate", "2e-5"), row("epochs", "3 run of 2 planned"),
                        row("early stopping", "off (earlyStoppingPatience 0)"),
                        row("frozen", "nothing: every weight is trained"))
                .doesNotContain("BERT fine-tuning range");
    }

    @Test
    void validationAndTestFiguresOfTheCheckpointStandSideBySideWithTheVerdict() {
        // The trainer had 40 of 50 validation examples right (0.8), the test split 20 of 50 (0.4).
        String html = ReportPage.render(evaluation(checkpoint("distilbert-tiny", null, true), "test", 50, 0.4,
                Map.of("validation", Map.of("a", 25, "b", 25), "test", Map.of("a", 25, "b", 25))), List.of());

        assertThat(html).contains("<h2>Validation and test</h2>",
                "<tr><th class=\"text\">validation (the trainer&#39;s)</th><td>50</td><td>0.8000</td><td>0.3500</td>",
                "<tr><th class=\"text\">test</th><td>50</td><td>0.4000</td><td>0.7000</td></tr>",
                "The gap is more than splits of 50 and 50 examples explain: Fisher&#39;s exact test p &lt; 0.0001")
                .doesNotContain("id=\"on-validation\"");
    }

    @Test
    void figuresScoredOnTheValidationSplitSayTheyLeanOptimistic() {
        String html = ReportPage.render(evaluation(checkpoint("distilbert-tiny", null, true), "validation", 50, 0.8,
                Map.of("validation", Map.of("a", 25, "b", 25))), List.of());

        assertThat(html).contains("id=\"on-validation\"", "so these figures lean optimistic")
                .doesNotContain("<h2>Validation and test</h2>");
    }

    /** Three epochs; the final checkpoint holds epoch 2. {@code effective} null: an older checkpoint.json. */
    private static CheckpointInfo checkpoint(String baseModel, String effective, Boolean stoppedEarly) {
        return new CheckpointInfo(CheckpointInfo.VERSION, "job", "ckpt", "d", "b", baseModel, 2, 20L, true, 0.3,
                0.35, 0.8, null, List.of(new CheckpointInfo.EpochMetrics(1, 10, 0.5, 0.4, 0.7),
                new CheckpointInfo.EpochMetrics(2, 20, 0.3, 0.35, 0.8),
                new CheckpointInfo.EpochMetrics(3, 30, 0.2, 0.36, 0.8)),
                effective == null ? null : Json.read(effective, Hyperparameters.class), stoppedEarly);
    }

    /** {@code examples} of {@code split} scored with {@code accuracy}, on build "b" with {@code counts}. */
    private static EvaluatedCheckpoint evaluation(CheckpointInfo info, String split, int examples, double accuracy,
                                                  Map<String, Map<String, Integer>> counts) {
        EvaluationResult result = new EvaluationResult(EvaluationResult.VERSION, "job", "ckpt", "d", 2, 20L, split,
                examples, accuracy, 0.7, 0.5, 0.5, List.of("a", "b"), List.of(new ClassMetrics("a", 1, 0.5, 0.66,
                25), new ClassMetrics("b", 0, 0, 0, 25)), new int[][]{{20, 5}, {25, 0}}, Instant.EPOCH, null, null,
                null, null, null);
        ShardManifest data = new ShardManifest(ShardManifest.VERSION, "d", "b", List.of("a", "b"), Map.of(), counts,
                "tok", "m", 64, "h", null);
        return new EvaluatedCheckpoint(result, info, data, null, List.of(), 0, null);
    }

    private static EvaluatedCheckpoint evaluation(CheckpointInfo info) {
        EvaluationResult result = new EvaluationResult(EvaluationResult.VERSION, "job", "ckpt", "d", 2, 20L, "test",
                2, 0.5, 0.7, 0.5, 0.5, List.of("a", "b"), List.of(new ClassMetrics("a", 1, 0.5, 0.66, 2),
                new ClassMetrics("b", 0, 0, 0, 0)), new int[][]{{1, 1}, {0, 0}}, Instant.EPOCH, null, null, null,
                null, null);
        return new EvaluatedCheckpoint(result, info, null, null, List.of(), 0, null);
    }

    private static String row(String name, String value) {
        return "<tr><th class=\"text\">" + name + "</th><td class=\"text\">" + value + "</td></tr>";
    }

    @Test
    void axesEndOnRoundNumbers() {
        assertThat(Svg.niceCeiling(0.473)).isEqualTo(0.5);
        assertThat(Svg.niceCeiling(1.9)).isEqualTo(2.0);
        assertThat(Svg.niceCeiling(36)).isEqualTo(50);
        assertThat(Svg.number(0.25)).isEqualTo("0.25");
        assertThat(Svg.number(3)).isEqualTo("3");
    }
}

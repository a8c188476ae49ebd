package io.finetune.evaluator.report;

import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.CheckpointInfo.EpochMetrics;
import io.finetune.contracts.ClassMetrics;
import io.finetune.contracts.CleaningReport;
import io.finetune.contracts.EvaluationResult;
import io.finetune.contracts.EvaluationResult.LengthBucket;
import io.finetune.contracts.Json;
import io.finetune.contracts.ShardManifest;
import io.finetune.evaluator.domain.AccuracyGap;
import io.finetune.evaluator.domain.EvaluatedCheckpoint;
import io.finetune.evaluator.domain.Finding;
import io.finetune.evaluator.domain.ModelFacts;
import io.finetune.evaluator.domain.TransferGuards;
import io.finetune.evaluator.domain.WrongExample;
import io.quarkus.qute.Engine;
import io.quarkus.qute.HtmlEscaper;
import io.quarkus.qute.RawString;
import io.quarkus.qute.ReflectionValueResolver;
import io.quarkus.qute.Template;
import io.quarkus.qute.Variant;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import static io.finetune.evaluator.report.Svg.number;

/**
 * One evaluation as a self-contained HTML page: advice first (what to do next), then the metrics, the charts, the
 * examples the model got most confidently wrong, and the data that went in. No scripts, no external resources.
 *
 * <p>The page is the Qute template {@code templates/report.html}; this class gathers what it shows. Qute escapes
 * every value for HTML ({@code <}, {@code >}, {@code &}, {@code "}, {@code '}), so text from datasets and
 * checkpoints (labels, example texts, findings) is never markup; only the SVG charts, which {@link Svg} escapes
 * itself, go in as {@link RawString}.
 */
public final class ReportPage {
    private static final String STYLE = """
            body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1180px;color:#222;padding:0 16px}
            h1{font-size:22px;margin-bottom:4px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ddd}
            .meta{color:#555}table{border-collapse:collapse;margin:8px 0}
            td,th{border:1px solid #ddd;padding:4px 8px;text-align:right;vertical-align:top}
            th{background:#f5f5f5}th.text{text-align:left}td.text{text-align:left;max-width:640px;font-family:monospace;font-size:12px}
            .charts{display:flex;flex-wrap:wrap;gap:16px}.chart{border:1px solid #eee;background:#fff}
            .finding{border-left:4px solid #d62728;background:#fff6f6;padding:8px 12px;margin:8px 0}
            .finding b{display:block}.ok{border-left:4px solid #2ca02c;background:#f4fbf4;padding:8px 12px}
            """;

    private static final Template TEMPLATE = template();

    private static Template template() {
        Engine engine = Engine.builder().addDefaults().addValueResolver(new ReflectionValueResolver())
                .addResultMapper(new HtmlEscaper(List.of(Variant.TEXT_HTML))).build();
        try (InputStream in = ReportPage.class.getResourceAsStream("/templates/report.html")) {
            if (in == null) {
                throw new IllegalStateException("templates/report.html is missing from the classpath");
            }
            return engine.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8),
                    Variant.forContentType(Variant.TEXT_HTML), "report.html");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String render(EvaluatedCheckpoint e, List<Finding> findings) {
        EvaluationResult r = e.result();
        return TEMPLATE.instance()
                .data("style", new RawString(STYLE))
                .data("r", new Header(text(r.checkpointId()), text(r.jobId()), text(r.dataset()),
                        String.valueOf(r.epoch()), String.valueOf(r.step()), r.examples(), text(r.split()),
                        String.valueOf(r.evaluatedAt()), precision(r), "validation".equals(r.split())))
                .data("findings", findings)
                .data("guards", guards(TransferGuards.of(e.checkpoint())))
                .data("metrics", metrics(r))
                .data("gap", AccuracyGap.of(e).map(ReportPage::splits).orElse(null))
                .data("perClass", r.perClass().stream().map(c -> new ClassRow(text(c.label()),
                        decimal(c.precision()), decimal(c.recall()), decimal(c.f1()), c.support())).toList())
                .data("charts", charts(e))
                .data("wrong", wrong(e.confidentlyWrong()))
                .data("data", data(e.data()))
                .data("training", training(e.checkpoint(), e.model()))
                .render();
    }

    /**
     * The page's first line: what was evaluated, where, when and in which arithmetic.
     *
     * @param onValidation scored on the validation split, the dataset having no test split
     */
    public record Header(String checkpointId, String jobId, String dataset, String epoch, String step,
                         int examples, String split, String evaluatedAt, String precision, boolean onValidation) {
    }

    /** The checkpoint on validation (the trainer's figures) and on test, and whether they differ beyond chance. */
    public record Splits(List<SplitRow> rows, boolean beyondChance, String verdict) {
    }

    public record SplitRow(String split, int examples, String accuracy, String loss) {
    }

    /** @param unknown the checkpoint names no base model; else {@code pretrained} says which text fits */
    public record Guards(boolean unknown, boolean pretrained, String baseModel, List<Row> rows,
                         boolean settingsRecorded) {
    }

    public record Row(String name, String value) {
    }

    public record ClassRow(String label, String precision, String recall, String f1, long support) {
    }

    public record Wrong(String id, String trueLabel, String predictedLabel, String confidence, int tokens,
                        String text) {
    }

    public record Split(String name, List<Integer> counts) {
    }

    public record Data(String build, String tokenizer, String maxLength, List<String> labels, List<Split> splits,
                       Cleaning cleaning, RawString tokenLengths) {
    }

    public record Cleaning(List<Step> steps, int duplicatesRemoved, int emptyDropped, int truncated) {
    }

    public record Step(String name, int before, int after, String detail) {
    }

    public record Training(String baseModel, String settingsKind, String hyperparameters) {
    }

    /** The arithmetic the metrics were computed in; results from before it was recorded were all float32. */
    private static String precision(EvaluationResult r) {
        return r.precision() == null ? "fp32" : r.precision();
    }

    /** What the run did to keep what its pretrained encoder knew; docs/evaluation.md, "Transfer learning guards". */
    private static Guards guards(TransferGuards g) {
        if (g == null) {
            return null;
        }
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("learning rate", TransferGuards.setting(g.learningRate())
                + (Boolean.TRUE.equals(g.pretrained()) ? " (BERT fine-tuning range "
                + TransferGuards.setting(TransferGuards.FINE_TUNING_LR_LOW) + " to "
                + TransferGuards.setting(TransferGuards.FINE_TUNING_LR_HIGH) + ")" : "")));
        rows.add(new Row("epochs", g.epochsRun() + " run of " + g.plannedEpochs() + " planned"));
        rows.add(new Row("early stopping", g.earlyStoppingPatience() == 0 ? "off (earlyStoppingPatience 0)"
                : "patience " + g.earlyStoppingPatience() + " on validation " + g.metricForBestModel() + ": "
                + (g.stoppedEarly() == null ? "not known yet" : g.stoppedEarly() ? "stopped early"
                : "did not fire")));
        String kept = g.loadBestModelAtEnd() ? "the best by validation " + g.metricForBestModel()
                : "the last (loadBestModelAtEnd false)";
        rows.add(new Row("kept checkpoint", g.keptEpoch() == null ? "not chosen yet: this checkpoint holds epoch "
                + g.epochsRun() + "'s weights, the run's final one will hold " + kept
                : "epoch " + g.keptEpoch() + ", " + kept));
        rows.add(new Row("warmup", number(g.warmupRatio() * 100) + "% of the steps"));
        rows.add(new Row("weight decay", TransferGuards.setting(g.weightDecay())));
        rows.add(new Row("frozen", g.nothingFrozen() ? "nothing: every weight is trained" : (g.freezeEmbeddings()
                ? "the embeddings" : "") + (g.freezeEmbeddings() && g.freezeLayers() > 0 ? " and " : "")
                + (g.freezeLayers() > 0 ? "the lowest " + g.freezeLayers() + " layer(s)" : "")));
        return new Guards(g.pretrained() == null, Boolean.TRUE.equals(g.pretrained()), text(g.baseModel()), rows,
                g.settingsRecorded());
    }

    private static Splits splits(AccuracyGap gap) {
        return new Splits(List.of(new SplitRow("validation (the trainer's)", gap.validationExamples(),
                decimal(gap.validationAccuracy()), gap.validationLoss() == null ? "–" : decimal(gap.validationLoss())
                + (gap.lossesComparable() ? "" : " (weighted or smoothed)")), new SplitRow("test", gap.testExamples(),
                decimal(gap.testAccuracy()), decimal(gap.testLogLoss()))), gap.beyondChance(), gap.verdict());
    }

    private static List<String> metrics(EvaluationResult r) {
        List<String> cells = new ArrayList<>();
        for (Double v : new Double[]{r.accuracy(), r.macroF1(), r.weightedF1(), r.logLoss(), r.rocAuc(),
                r.averagePrecision(), r.expectedCalibrationError()}) {
            cells.add(v == null ? "–" : decimal(v));
        }
        return cells;
    }

    private static List<RawString> charts(EvaluatedCheckpoint e) {
        EvaluationResult r = e.result();
        List<RawString> charts = new ArrayList<>();
        charts.add(new RawString(Svg.heatMap("Confusion matrix", "true label", "predicted label", r.labels(),
                r.confusionMatrix())));
        if (e.curves() != null) {
            charts.add(new RawString(Svg.lineChart("ROC curve (AUC " + number(r.rocAuc() == null ? Double.NaN
                            : r.rocAuc()) + ")", "false positive rate", "true positive rate",
                    List.of(new Svg.Series("ROC", e.curves().roc())), 0.0, 1.0, 0.0, 1.0, true)));
            charts.add(new RawString(Svg.lineChart("Precision-recall curve (AP " + number(r.averagePrecision() == null
                            ? Double.NaN : r.averagePrecision()) + ")", "recall", "precision",
                    List.of(new Svg.Series("PR", e.curves().pr())), 0.0, 1.0, 0.0, 1.0, false)));
        }
        List<EpochMetrics> history = e.checkpoint() == null || e.checkpoint().history() == null ? List.of()
                : e.checkpoint().history();
        if (!history.isEmpty()) {
            List<double[]> train = new ArrayList<>();
            List<double[]> validation = new ArrayList<>();
            for (EpochMetrics m : history) {
                train.add(new double[]{m.epoch(), m.trainLoss()});
                validation.add(new double[]{m.epoch(), m.validationLoss()});
            }
            charts.add(new RawString(Svg.lineChart("Loss by epoch", "epoch", "loss", List.of(
                    new Svg.Series("training", train), new Svg.Series("validation", validation)), null, null, 0.0,
                    null, false)));
        }
        List<LengthBucket> buckets = r.accuracyByLength() == null ? List.of() : r.accuracyByLength();
        if (!buckets.isEmpty()) {
            charts.add(new RawString(Svg.barChart("Accuracy by input length", "tokens", "accuracy",
                    buckets.stream().map(b -> b.maxTokens() == Integer.MAX_VALUE ? b.minTokens() + "+"
                            : b.minTokens() + "–" + b.maxTokens() + " (" + b.examples() + ")").toList(),
                    buckets.stream().map(LengthBucket::accuracy).toList(), 1.0)));
        }
        return charts;
    }

    private static List<Wrong> wrong(List<WrongExample> examples) {
        return examples == null ? List.of() : examples.stream().map(w -> new Wrong(text(w.id()),
                text(w.trueLabel()), text(w.predictedLabel()), decimal(w.confidence()), w.tokens(), text(w.text())))
                .toList();
    }

    private static Data data(ShardManifest manifest) {
        if (manifest == null) {
            return null;
        }
        List<String> labels = new ArrayList<>();
        List<Split> splits = new ArrayList<>();
        Map<String, Map<String, Integer>> counts = manifest.counts();
        if (counts != null && !counts.isEmpty()) {
            TreeSet<String> all = new TreeSet<>();
            counts.values().forEach(m -> all.addAll(m.keySet()));
            labels.addAll(all);
            counts.forEach((split, byLabel) -> splits.add(new Split(text(split),
                    all.stream().map(l -> byLabel.getOrDefault(l, 0)).toList())));
        }
        CleaningReport report = manifest.report();
        RawString tokenLengths = null;
        if (report != null && report.tokenLengthHistogram() != null && !report.tokenLengthHistogram().isEmpty()) {
            Map<Integer, Integer> histogram = report.tokenLengthHistogram();
            List<Integer> bounds = new ArrayList<>(new TreeSet<>(histogram.keySet()));
            tokenLengths = new RawString(Svg.barChart("Token lengths", "tokens (bucket upper bound)", "examples",
                    bounds.stream().map(b -> "≤" + b).toList(),
                    bounds.stream().map(b -> (double) histogram.get(b)).toList(), null));
        }
        Cleaning cleaning = report == null ? null : new Cleaning(report.steps() == null ? List.of()
                : report.steps().stream().map(st -> new Step(text(st.name()), st.before(), st.after(),
                text(st.detail()))).toList(), report.duplicatesRemoved(), report.emptyDropped(), report.truncated());
        return new Data(text(manifest.build()), text(manifest.tokenizer()), String.valueOf(manifest.maxLength()),
                labels, splits, cleaning, tokenLengths);
    }

    /** @param model the model's family and positions; null for an evaluation stored before they were recorded */
    private static Training training(CheckpointInfo info, ModelFacts model) {
        if (info == null) {
            return null;
        }
        String baseModel = text(info.baseModel()) + (model == null ? "" : " (" + model.modelType() + ", "
                + model.maxPositionEmbeddings() + " positions)");
        // What it trained with, every default filled in; a checkpoint from before those were recorded has only the
        // submitted settings, whose absent values were the trainer's defaults.
        if (info.effectiveHyperparameters() != null) {
            return new Training(baseModel, "settings as trained", Json.write(info.effectiveHyperparameters()));
        }
        return new Training(baseModel, "settings as submitted (absent: the trainer's default)",
                info.hyperparameters() == null ? "defaults" : Json.write(info.hyperparameters()));
    }

    private static String decimal(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /** Null as the old page showed it: nothing. */
    private static String text(String s) {
        return s == null ? "" : s;
    }

    private ReportPage() {
    }
}

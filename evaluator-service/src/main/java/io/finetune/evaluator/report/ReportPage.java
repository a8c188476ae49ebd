package io.finetune.evaluator.report;

import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.CheckpointInfo.EpochMetrics;
import io.finetune.contracts.ClassMetrics;
import io.finetune.contracts.CleaningReport;
import io.finetune.contracts.EvaluationResult;
import io.finetune.contracts.EvaluationResult.LengthBucket;
import io.finetune.contracts.Json;
import io.finetune.evaluator.domain.EvaluatedCheckpoint;
import io.finetune.evaluator.domain.Finding;
import io.finetune.evaluator.domain.TransferGuards;
import io.finetune.evaluator.domain.WrongExample;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static io.finetune.evaluator.report.Html.escape;
import static io.finetune.evaluator.report.Svg.number;

/**
 * One evaluation as a self-contained HTML page: advice first (what to do next), then the metrics, the charts, the
 * examples the model got most confidently wrong, and the data that went in. No scripts, no external resources.
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

    public static String render(EvaluatedCheckpoint e, List<Finding> findings) {
        EvaluationResult r = e.result();
        StringBuilder h = new StringBuilder("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<title>Evaluation of ").append(escape(r.checkpointId())).append("</title><style>")
                .append(STYLE).append("</style></head><body>");
        h.append("<h1>Evaluation of checkpoint ").append(escape(r.checkpointId())).append("</h1><p class=\"meta\">")
                .append("job ").append(escape(r.jobId())).append(" · dataset ").append(escape(r.dataset()))
                .append(" · epoch ").append(r.epoch()).append(" · step ").append(r.step()).append(" · ")
                .append(r.examples()).append(' ').append(escape(r.split())).append(" examples · evaluated ")
                .append(r.evaluatedAt()).append(" in ").append(escape(precision(r))).append("</p>");
        advice(h, findings);
        guards(h, TransferGuards.of(e.checkpoint()));
        metrics(h, r);
        charts(h, e);
        wrong(h, e.confidentlyWrong());
        data(h, e);
        hyperparameters(h, e.checkpoint());
        return h.append("</body></html>").toString();
    }

    /** The arithmetic the metrics were computed in; results from before it was recorded were all float32. */
    private static String precision(EvaluationResult r) {
        return r.precision() == null ? "fp32" : r.precision();
    }

    private static void advice(StringBuilder h, List<Finding> findings) {
        h.append("<h2>What to do next</h2>");
        if (findings.isEmpty()) {
            h.append("<div class=\"ok\">No problem found in this run's history, data or errors.</div>");
        }
        for (Finding f : findings) {
            h.append("<div class=\"finding\" id=\"finding-").append(escape(f.code())).append("\"><b>")
                    .append(escape(f.title())).append("</b>").append(escape(f.evidence())).append(".<br>→ ")
                    .append(escape(f.suggestion())).append("</div>");
        }
    }

    /** What the run did to keep what its pretrained encoder knew; docs/evaluation.md, "Transfer learning guards". */
    private static void guards(StringBuilder h, TransferGuards g) {
        if (g == null) {
            return;
        }
        h.append("<h2>Transfer learning guards</h2><p>");
        if (g.pretrained() == null) {
            h.append("The checkpoint does not name its base model, so whether it was pretrained is unknown.");
        } else if (g.pretrained()) {
            h.append("Fine-tuned from pretrained <b>").append(escape(g.baseModel())).append("</b>. A low learning ")
                    .append("rate, few epochs, early stopping and frozen layers keep it from losing what it learned ")
                    .append("in pretraining (catastrophic forgetting).");
        } else {
            h.append("Trained from scratch (<b>").append(escape(g.baseModel())).append("</b>): new weights, so ")
                    .append("there is no pretrained knowledge to lose, and these settings only regularise. A ")
                    .append("pretrained base model usually helps most on small data.");
        }
        h.append("</p><table id=\"transfer-guards\">");
        row(h, "learning rate", TransferGuards.setting(g.learningRate()) + (Boolean.TRUE.equals(g.pretrained())
                ? " (BERT fine-tuning range " + TransferGuards.setting(TransferGuards.FINE_TUNING_LR_LOW) + " to "
                + TransferGuards.setting(TransferGuards.FINE_TUNING_LR_HIGH) + ")" : ""));
        row(h, "epochs", g.epochsRun() + " run of " + g.plannedEpochs() + " planned");
        row(h, "early stopping", g.earlyStoppingPatience() == 0 ? "off (earlyStoppingPatience 0)"
                : "patience " + g.earlyStoppingPatience() + " on validation " + g.metricForBestModel() + ": "
                + (g.stoppedEarly() == null ? "not known yet" : g.stoppedEarly() ? "stopped early"
                : "did not fire"));
        row(h, "kept checkpoint", g.keptEpoch() == null ? "not chosen yet: this checkpoint holds epoch "
                + g.epochsRun() + "'s weights, the run's final one will hold the best by validation "
                + g.metricForBestModel() : "epoch " + g.keptEpoch() + ", the best by validation "
                + g.metricForBestModel());
        row(h, "warmup", number(g.warmupRatio() * 100) + "% of the steps");
        row(h, "weight decay", TransferGuards.setting(g.weightDecay()));
        row(h, "frozen", g.nothingFrozen() ? "nothing: every weight is trained" : (g.freezeEmbeddings()
                ? "the embeddings" : "") + (g.freezeEmbeddings() && g.freezeLayers() > 0 ? " and " : "")
                + (g.freezeLayers() > 0 ? "the lowest " + g.freezeLayers() + " layer(s)" : ""));
        h.append("</table>");
        if (!g.settingsRecorded()) {
            h.append("<p class=\"meta\">This checkpoint predates recorded settings: where the job left one out, ")
                    .append("the trainer's default is shown.</p>");
        }
    }

    private static void row(StringBuilder h, String name, String value) {
        h.append("<tr><th class=\"text\">").append(escape(name)).append("</th><td class=\"text\">")
                .append(escape(value)).append("</td></tr>");
    }

    private static void metrics(StringBuilder h, EvaluationResult r) {
        h.append("<h2>Metrics</h2><table id=\"metrics\"><tr><th>accuracy</th><th>macro F1</th><th>weighted F1</th>")
                .append("<th>log loss</th><th>ROC-AUC</th><th>PR-AUC</th><th>calibration error (ECE)</th></tr><tr>");
        for (Double v : new Double[]{r.accuracy(), r.macroF1(), r.weightedF1(), r.logLoss(), r.rocAuc(),
                r.averagePrecision(), r.expectedCalibrationError()}) {
            h.append("<td>").append(v == null ? "–" : String.format(java.util.Locale.ROOT, "%.4f", v)).append("</td>");
        }
        h.append("</tr></table><table id=\"per-class\"><tr><th>class</th><th>precision</th><th>recall</th>")
                .append("<th>F1</th><th>support</th></tr>");
        for (ClassMetrics c : r.perClass()) {
            h.append("<tr><th>").append(escape(c.label())).append("</th>").append(cell(c.precision()))
                    .append(cell(c.recall())).append(cell(c.f1())).append("<td>").append(c.support())
                    .append("</td></tr>");
        }
        h.append("</table>");
    }

    private static void charts(StringBuilder h, EvaluatedCheckpoint e) {
        EvaluationResult r = e.result();
        h.append("<h2>Charts</h2><div class=\"charts\">");
        h.append(Svg.heatMap("Confusion matrix", "true label", "predicted label", r.labels(), r.confusionMatrix()));
        if (e.curves() != null) {
            h.append(Svg.lineChart("ROC curve (AUC " + number(r.rocAuc() == null ? Double.NaN : r.rocAuc()) + ")",
                    "false positive rate", "true positive rate",
                    List.of(new Svg.Series("ROC", e.curves().roc())), 0.0, 1.0, 0.0, 1.0, true));
            h.append(Svg.lineChart("Precision-recall curve (AP " + number(r.averagePrecision() == null ? Double.NaN
                            : r.averagePrecision()) + ")", "recall", "precision",
                    List.of(new Svg.Series("PR", e.curves().pr())), 0.0, 1.0, 0.0, 1.0, false));
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
            h.append(Svg.lineChart("Loss by epoch", "epoch", "loss", List.of(new Svg.Series("training", train),
                    new Svg.Series("validation", validation)), null, null, 0.0, null, false));
        }
        List<LengthBucket> buckets = r.accuracyByLength() == null ? List.of() : r.accuracyByLength();
        if (!buckets.isEmpty()) {
            h.append(Svg.barChart("Accuracy by input length", "tokens", "accuracy",
                    buckets.stream().map(b -> b.maxTokens() == Integer.MAX_VALUE ? b.minTokens() + "+"
                            : b.minTokens() + "–" + b.maxTokens() + " (" + b.examples() + ")").toList(),
                    buckets.stream().map(LengthBucket::accuracy).toList(), 1.0));
        }
        h.append("</div>");
    }

    private static void wrong(StringBuilder h, List<WrongExample> examples) {
        h.append("<h2>Most confidently wrong test examples</h2>");
        if (examples == null || examples.isEmpty()) {
            h.append("<p>None: every test example was classified correctly.</p>");
            return;
        }
        h.append("<table id=\"wrong\"><tr><th>id</th><th>true</th><th>predicted</th><th>confidence</th>")
                .append("<th>tokens</th><th class=\"text\">text (as the model read it)</th></tr>");
        for (WrongExample w : examples) {
            h.append("<tr><td>").append(escape(w.id())).append("</td><td>").append(escape(w.trueLabel()))
                    .append("</td><td>").append(escape(w.predictedLabel())).append("</td>").append(cell(w.confidence()))
                    .append("<td>").append(w.tokens()).append("</td><td class=\"text\">").append(escape(w.text()))
                    .append("</td></tr>");
        }
        h.append("</table>");
    }

    private static void data(StringBuilder h, EvaluatedCheckpoint e) {
        h.append("<h2>Data</h2>");
        if (e.data() == null) {
            h.append("<p>No dataset manifest was recorded with this evaluation.</p>");
            return;
        }
        h.append("<p class=\"meta\">build ").append(escape(e.data().build())).append(" · tokenizer ")
                .append(escape(e.data().tokenizer())).append(" · max length ").append(e.data().maxLength())
                .append("</p>");
        labelTable(h, e.data().counts());
        CleaningReport report = e.data().report();
        if (report == null) {
            return;
        }
        h.append("<table id=\"cleaning\"><tr><th>cleaning step</th><th>before</th><th>after</th><th>detail</th></tr>");
        for (CleaningReport.Step s : report.steps() == null ? List.<CleaningReport.Step>of() : report.steps()) {
            h.append("<tr><th>").append(escape(s.name())).append("</th><td>").append(s.before()).append("</td><td>")
                    .append(s.after()).append("</td><td class=\"text\">").append(escape(s.detail()))
                    .append("</td></tr>");
        }
        h.append("</table><p>").append(report.duplicatesRemoved()).append(" duplicates removed, ")
                .append(report.emptyDropped()).append(" empty records dropped, ").append(report.truncated())
                .append(" examples truncated.</p>");
        Map<Integer, Integer> histogram = report.tokenLengthHistogram();
        if (histogram != null && !histogram.isEmpty()) {
            List<Integer> bounds = new ArrayList<>(new TreeSet<>(histogram.keySet()));
            h.append("<div class=\"charts\">").append(Svg.barChart("Token lengths", "tokens (bucket upper bound)",
                    "examples", bounds.stream().map(b -> "≤" + b).toList(),
                    bounds.stream().map(b -> (double) histogram.get(b)).toList(), null)).append("</div>");
        }
    }

    private static void labelTable(StringBuilder h, Map<String, Map<String, Integer>> counts) {
        if (counts == null || counts.isEmpty()) {
            return;
        }
        TreeSet<String> labels = new TreeSet<>();
        counts.values().forEach(m -> labels.addAll(m.keySet()));
        h.append("<table id=\"labels\"><tr><th>split</th>");
        labels.forEach(l -> h.append("<th>").append(escape(l)).append("</th>"));
        h.append("</tr>");
        counts.forEach((split, byLabel) -> {
            h.append("<tr><th>").append(escape(split)).append("</th>");
            labels.forEach(l -> h.append("<td>").append(byLabel.getOrDefault(l, 0)).append("</td>"));
            h.append("</tr>");
        });
        h.append("</table>");
    }

    private static void hyperparameters(StringBuilder h, CheckpointInfo info) {
        if (info == null) {
            return;
        }
        h.append("<h2>Training</h2><p class=\"meta\">base model ").append(escape(info.baseModel()))
                .append(" · hyperparameters (null = trainer default)</p><pre>")
                .append(escape(info.hyperparameters() == null ? "defaults" : Json.write(info.hyperparameters())))
                .append("</pre>");
    }

    private static String cell(double v) {
        return "<td>" + String.format(java.util.Locale.ROOT, "%.4f", v) + "</td>";
    }

    private ReportPage() {
    }
}

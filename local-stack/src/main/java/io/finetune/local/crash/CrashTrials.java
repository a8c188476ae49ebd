package io.finetune.local.crash;

import io.finetune.contracts.sample.SampleReviews;
import io.finetune.local.LocalStack;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Crash tests on the real local deployment: one undisturbed run, then seeded trials that each SIGKILL one service
 * (or kill the broker) at a random moment of a full run and start it again, and judge the outcome against the
 * undisturbed run. Prints a table of trials and outcomes; {@code bin/crash-test} runs it, and {@code CrashIT} runs a
 * small version in the test suite.
 *
 * <pre>
 * bin/crash-test [--trials 20] [--seed 1] [--targets ingest-service,preprocess-service,...] [--reviews 600]
 *                [--replicas preprocess-service=2,trainer-service=2,evaluator-serving=2]
 * </pre>
 * {@code evaluator-serving=N} runs N serving replicas of the evaluator beside it and adds the target
 * {@code serving-replica} (one of them killed while it answers inference requests).
 * <pre>
 * </pre>
 */
public final class CrashTrials {
    /** @param replicas processes per service where there are several ({@code --replicas preprocess-service=2}) */
    public record Options(int trials, long seed, List<String> targets, int reviews, Map<String, Integer> replicas) {
        public static Options parse(String[] args) {
            int trials = 20;
            long seed = 1;
            int reviews = 600;
            List<String> targets = null;
            Map<String, Integer> replicas = new TreeMap<>();
            for (int i = 0; i + 1 < args.length; i += 2) {
                switch (args[i]) {
                    case "--trials" -> trials = Integer.parseInt(args[i + 1]);
                    case "--seed" -> seed = Long.parseLong(args[i + 1]);
                    case "--reviews" -> reviews = Integer.parseInt(args[i + 1]);
                    case "--targets" -> targets = Arrays.asList(args[i + 1].split(","));
                    case "--replicas" -> replicas = replicas(args[i + 1]);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + "; known: --trials --seed --targets --reviews --replicas");
                }
            }
            List<String> known = FaultPlan.targets(replicas);
            if (targets == null) {
                targets = known;
            }
            targets.forEach(t -> {
                if (t.equals(FaultPlan.SERVING_REPLICA) && !known.contains(t)) {
                    throw new IllegalArgumentException("target " + t + " needs serving replicas: --replicas "
                            + LocalStack.SERVING_REPLICAS + "=N");
                }
                if (!known.contains(t)) {
                    throw new IllegalArgumentException("unknown target " + t + "; known: " + known);
                }
            });
            return new Options(trials, seed, targets, reviews, replicas);
        }

        /** "preprocess-service=2,trainer-service=2,evaluator-serving=2" */
        private static Map<String, Integer> replicas(String value) {
            Map<String, Integer> replicas = new TreeMap<>();
            for (String entry : value.split(",")) {
                String[] parts = entry.split("=", 2);
                if (parts.length != 2 || !parts[1].matches("[1-9]\\d*")
                        || !(LocalStack.REPLICABLE.contains(parts[0]) || parts[0].equals(LocalStack.SERVING_REPLICAS))) {
                    throw new IllegalArgumentException("--replicas takes SERVICE=COUNT pairs for "
                            + LocalStack.REPLICABLE + " and " + LocalStack.SERVING_REPLICAS + " (the evaluator's "
                            + "serving replicas), e.g. preprocess-service=2,evaluator-serving=2; not '" + entry + "'");
                }
                replicas.put(parts[0], Integer.parseInt(parts[1]));
            }
            return replicas;
        }
    }

    private CrashTrials() {
    }

    public static void main(String[] args) {
        Options options = Options.parse(args);
        Path root = Path.of(System.getProperty("repo.root", ".")).toAbsolutePath().normalize();
        List<TrialResult> results = run(root, root.resolve(".data/crash-test"), options, System.out);
        System.exit(results.stream().allMatch(r -> r.passed() && r.injected()) ? 0 : 1);
    }

    /** Starts a stack in {@code stateDir}, runs the baseline and the trials, prints the table, stops the stack. */
    public static List<TrialResult> run(Path root, Path stateDir, Options options, PrintStream out) {
        List<SampleReviews.Review> reviews = SampleReviews.generate(options.reviews(), 11);
        int overRest = reviews.size() * 2 / 3;
        LocalStack stack = LocalStack.prepare(root, stateDir, 0);
        Thread stopper = new Thread(stack::close, "crash-test-shutdown");
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            out.println("Starting Kafka and the four services; logs in " + stateDir.resolve("services"));
            stack.startAll(0, options.replicas());
            TrialRun runs = new TrialRun(stack, reviews, overRest);
            out.println("Undisturbed run (" + reviews.size() + " reviews, " + TrialRun.HYPERPARAMETERS + ")"
                    + (options.replicas().isEmpty() ? "" : "; replicas " + options.replicas()));
            // A first run warms the JVMs up, so that the measured run's phase timings are those the trials will see.
            RunOutcome warmUp = runs.run("crash-warmup", "crash-warmup-job", new Timeline());
            if (warmUp.failure() != null) {
                throw new IllegalStateException("the warm-up run failed: " + warmUp.failure());
            }
            RunOutcome baseline = runs.run("crash-base", "crash-base-job", new Timeline());
            if (baseline.failure() != null) {
                throw new IllegalStateException("the undisturbed run failed: " + baseline.failure());
            }
            out.printf("  %d examples in the shards, %d checkpoints, final accuracy %.4f, took %.1f s%n",
                    baseline.examples().size(), baseline.checkpoints().size(), baseline.finalEvaluation().accuracy(),
                    baseline.timeline().at(Timeline.EVALUATED) / 1000.0);
            List<Fault> faults = FaultPlan.plan(baseline.timeline(), options.targets(), options.trials(),
                    options.seed(), options.replicas());
            TrialTable table = new TrialTable(out);
            table.header();
            List<TrialResult> results = new ArrayList<>();
            for (int i = 0; i < faults.size(); i++) {
                TrialResult result = trial(stack, runs, i + 1, faults.get(i), baseline);
                table.row(result);
                results.add(result);
            }
            table.summary(results);
            return results;
        } finally {
            stack.close();
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook stops the stack
            }
        }
    }

    /**
     * One trial. The moment was drawn from the undisturbed run's window; a run that is quicker this time (a loaded
     * machine makes the undisturbed one slow) can end before it, which proves nothing. Such a trial is run once more,
     * with the fault at the same share of the window this run showed, and the table says so.
     */
    private static TrialResult trial(LocalStack stack, TrialRun runs, int number, Fault fault, RunOutcome baseline) {
        TrialResult first = attempt(stack, runs, number, "crash-" + number, fault, baseline, false);
        Timeline seen = first.timeline();
        if (first.injected() || !seen.reached(fault.anchor()) || !seen.reached(fault.end())) {
            return first;
        }
        Fault again = fault.within(Math.max(0, seen.at(fault.end()) - seen.at(fault.anchor())));
        return attempt(stack, runs, number, "crash-" + number + "-again", again, baseline, true);
    }

    private static TrialResult attempt(LocalStack stack, TrialRun runs, int number, String name, Fault fault,
                                       RunOutcome baseline, boolean retried) {
        Timeline timeline = new Timeline();
        FaultInjector injector = new FaultInjector(stack, fault, timeline, name, name + "-job").start();
        RunOutcome outcome = runs.run(name, name + "-job", timeline);
        injector.finish();
        return new TrialResult(number, fault, injector.killed(), retried, injector.injectedAt(), injector.downtime(),
                injector.error(),
                Verdict.judge(outcome, baseline), timeline);
    }
}

package io.finetune.local.crash;

import io.finetune.contracts.EvaluationResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A disturbed run judged against the undisturbed one, example by example and checkpoint by checkpoint: the same
 * examples in the shards and none twice, the job finished, the same checkpoints (none missing, none extra), each
 * evaluated with one result and the same metrics, and the final checkpoint answering every test text as the
 * undisturbed run's does, over {@code POST /predict} and as a deployment on the inference topics.
 */
record Verdict(List<Check> checks, int repeatedResults) {
    /**
     * How far a probability or a log loss may move. Resuming restores weights, optimizer moments and the data order
     * exactly, so the runs agree to float rounding; a lost or repeated step moves them by far more than this.
     */
    static final double TOLERANCE = 1e-5;

    record Check(String name, boolean passed, String detail) {
    }

    boolean passed() {
        return checks.stream().allMatch(Check::passed);
    }

    String detail(String name) {
        return checks.stream().filter(c -> c.name().equals(name)).map(Check::detail).findFirst().orElse("-");
    }

    String failures() {
        return String.join("; ", checks.stream().filter(c -> !c.passed())
                .map(c -> c.name() + ": " + c.detail()).toList());
    }

    static Verdict judge(RunOutcome run, RunOutcome baseline) {
        List<Check> checks = new ArrayList<>();
        if (run.failure() != null) {
            checks.add(new Check("finished", false, run.failure()));
            return new Verdict(checks, 0);
        }
        checks.add(shards(run, baseline));
        // "COMPLETED @140": completed, resumed from the state saved at step 140.
        checks.add(new Check("job", run.jobState().startsWith("COMPLETED"), run.jobState()));
        int repeats = 0;
        for (List<EvaluationResult> results : run.evaluations().values()) {
            repeats += results.size() - 1;
        }
        checks.add(checkpoints(run, baseline, repeats));
        checks.add(predictions(run, baseline));
        checks.add(serving(run, baseline));
        return new Verdict(checks, repeats);
    }

    private static Check shards(RunOutcome run, RunOutcome baseline) {
        Map<String, String> mine = run.examples();
        Map<String, String> theirs = baseline.examples();
        long missing = theirs.keySet().stream().filter(k -> !mine.containsKey(k)).count();
        long extra = mine.keySet().stream().filter(k -> !theirs.containsKey(k)).count();
        long changed = theirs.entrySet().stream()
                .filter(e -> mine.containsKey(e.getKey()) && !mine.get(e.getKey()).equals(e.getValue())).count();
        boolean same = missing == 0 && extra == 0 && changed == 0 && run.repeatedIds() == 0;
        return new Check("shards", same, same ? mine.size() + " examples, as undisturbed"
                : String.format("missing %d, extra %d, changed %d, twice %d", missing, extra, changed,
                run.repeatedIds()));
    }

    /**
     * Every checkpoint the undisturbed run announced, no other, each evaluated, its results (a repeat included)
     * agreeing with each other and with the undisturbed run's evaluation of the same checkpoint.
     */
    private static Check checkpoints(RunOutcome run, RunOutcome baseline, int repeats) {
        Set<String> mine = run.checkpointNames();
        Set<String> theirs = baseline.checkpointNames();
        Set<String> missing = new TreeSet<>(theirs);
        missing.removeAll(mine);
        Set<String> extra = new TreeSet<>(mine);
        extra.removeAll(theirs);
        Set<String> unevaluated = new TreeSet<>();
        Set<String> differing = new TreeSet<>();
        for (String name : mine) {
            List<EvaluationResult> results = run.evaluations().get(run.jobId() + "-" + name);
            if (results == null || results.isEmpty()) {
                unevaluated.add(name);
                continue;
            }
            EvaluationResult undisturbed = baseline.evaluation(name);
            if (results.stream().anyMatch(r -> !sameMetrics(r, results.get(0)))
                    || undisturbed != null && !sameMetrics(results.get(0), undisturbed)) {
                differing.add(name);
            }
        }
        boolean passed = missing.isEmpty() && extra.isEmpty() && unevaluated.isEmpty() && differing.isEmpty();
        StringBuilder detail = new StringBuilder(mine.size() + (passed ? " as undisturbed" : ""));
        append(detail, "missing", missing);
        append(detail, "extra", extra);
        append(detail, "never evaluated", unevaluated);
        append(detail, "other metrics", differing);
        if (repeats > 0) {
            detail.append(", ").append(repeats).append(" re-published");
        }
        return new Check("checkpoints", passed, detail.toString());
    }

    /** The final checkpoint's answer for each test text: the same label, each probability within the tolerance. */
    private static Check predictions(RunOutcome run, RunOutcome baseline) {
        Map<String, RunOutcome.Answer> mine = run.predictions();
        Map<String, RunOutcome.Answer> theirs = baseline.predictions();
        int otherLabel = 0;
        double largest = 0;
        for (Map.Entry<String, RunOutcome.Answer> e : theirs.entrySet()) {
            RunOutcome.Answer answer = mine.get(e.getKey());
            if (answer == null) {
                continue;
            }
            if (!answer.label().equals(e.getValue().label())) {
                otherLabel++;
            }
            for (Map.Entry<String, Double> p : e.getValue().probabilities().entrySet()) {
                Double other = answer.probabilities().get(p.getKey());
                largest = Math.max(largest, other == null ? 1 : Math.abs(other - p.getValue()));
            }
        }
        boolean sameTexts = mine.keySet().equals(theirs.keySet());
        boolean passed = sameTexts && otherLabel == 0 && largest <= TOLERANCE && !theirs.isEmpty();
        return new Check("predictions", passed, String.format("%d texts%s, %d other labels, max |dp| %.1e, acc %.4f",
                mine.size(), sameTexts ? "" : " (not the undisturbed run's)", otherLabel, largest,
                run.finalEvaluation().accuracy()));
    }

    /**
     * Every inference request answered exactly once, by the deployed final checkpoint, as the undisturbed run's final
     * checkpoint answers the same text. The predictions are read committed, as an application relying on serving's
     * transactions reads them (docs/serving.md): a second prediction for a request fails the check.
     */
    private static Check serving(RunOutcome run, RunOutcome baseline) {
        String checkpoint = run.jobId() + "-final";
        int wrongCheckpoint = 0;
        int otherAnswer = 0;
        int repeated = 0;
        for (Map.Entry<String, List<RunOutcome.Served>> e : run.served().entrySet()) {
            RunOutcome.Answer expected = baseline.predictions().get(RunOutcome.exampleOf(e.getKey()));
            repeated += e.getValue().size() - 1;
            for (RunOutcome.Served s : e.getValue()) {
                wrongCheckpoint += s.checkpoint().equals(checkpoint) ? 0 : 1;
                otherAnswer += expected != null && agree(s.answer(), expected) ? 0 : 1;
            }
        }
        int expectedRequests = baseline.predictions().size() * TrialRun.SERVING_ROUNDS;
        boolean passed = run.served().size() == expectedRequests && repeated == 0 && wrongCheckpoint == 0
                && otherAnswer == 0;
        // Which processes answered: the evaluator alone, or it and its serving replicas sharing the partitions.
        java.util.Set<String> servers = new java.util.TreeSet<>();
        run.served().values().forEach(list -> list.forEach(s -> servers.add(String.valueOf(s.servedBy()))));
        return new Check("serving", passed, String.format("%d/%d answered (by %d)%s%s%s", run.served().size(),
                expectedRequests, servers.size(), repeated > 0 ? ", " + repeated + " answered twice" : "",
                wrongCheckpoint > 0 ? ", " + wrongCheckpoint + " by another checkpoint" : "",
                otherAnswer > 0 ? ", " + otherAnswer + " other answers" : ""));
    }

    private static boolean agree(RunOutcome.Answer a, RunOutcome.Answer b) {
        if (!a.label().equals(b.label()) || !a.probabilities().keySet().equals(b.probabilities().keySet())) {
            return false;
        }
        return b.probabilities().entrySet().stream()
                .allMatch(p -> Math.abs(a.probabilities().get(p.getKey()) - p.getValue()) <= TOLERANCE);
    }

    private static void append(StringBuilder detail, String what, Set<String> names) {
        if (!names.isEmpty()) {
            detail.append(", ").append(what).append(' ').append(names);
        }
    }

    private static boolean sameMetrics(EvaluationResult a, EvaluationResult b) {
        return a.examples() == b.examples() && a.accuracy() == b.accuracy()
                && Math.abs(a.logLoss() - b.logLoss()) <= TOLERANCE;
    }
}

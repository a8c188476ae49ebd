package io.finetune.local.crash;

import io.finetune.contracts.EvaluationResult;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A disturbed run judged against the undisturbed one: nothing accepted missing from the shards and nothing in them
 * twice, the job finished, every checkpoint evaluated with one result, and the same final metrics.
 */
record Verdict(List<Check> checks, int repeatedResults) {
    /** Resumed training matches to float tolerance, so at most one borderline test example may flip. */
    static final double LOG_LOSS_TOLERANCE = 1e-3;

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
        Set<String> unevaluated = new HashSet<>(run.checkpoints());
        unevaluated.removeAll(run.evaluations().keySet());
        boolean consistent = true;
        for (List<EvaluationResult> results : run.evaluations().values()) {
            repeats += results.size() - 1;
            consistent &= results.stream().allMatch(r -> sameMetrics(r, results.get(0)));
        }
        checks.add(new Check("evaluations", unevaluated.isEmpty() && consistent,
                run.evaluations().size() + " checkpoints" + (repeats > 0 ? ", " + repeats + " re-published" : "")
                        + (unevaluated.isEmpty() ? "" : ", never evaluated: " + unevaluated)
                        + (consistent ? "" : ", differing results for one checkpoint")));
        EvaluationResult mine = run.finalEvaluation();
        EvaluationResult theirs = baseline.finalEvaluation();
        double accuracyDelta = Math.abs(mine.accuracy() - theirs.accuracy());
        double lossDelta = Math.abs(mine.logLoss() - theirs.logLoss());
        checks.add(new Check("metrics", accuracyDelta <= 1.0 / mine.examples() + 1e-12
                && lossDelta <= LOG_LOSS_TOLERANCE,
                String.format("acc %.4f (%+.4f), log loss %+.1e", mine.accuracy(),
                        mine.accuracy() - theirs.accuracy(), mine.logLoss() - theirs.logLoss())));
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

    private static boolean sameMetrics(EvaluationResult a, EvaluationResult b) {
        return a.examples() == b.examples() && Math.abs(a.accuracy() - b.accuracy()) < 1e-12
                && Math.abs(a.logLoss() - b.logLoss()) < 1e-9;
    }
}

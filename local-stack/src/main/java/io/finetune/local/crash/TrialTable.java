package io.finetune.local.crash;

import java.io.PrintStream;
import java.util.List;

/** The crash test's output: one row per trial, then a summary and one JSON line for scripts. */
final class TrialTable {
    private static final String FORMAT = "%-3s %-44s %-30s %8s %8s  %-31s %-16s %-22s %-52s %-26s %s%n";
    private final PrintStream out;

    TrialTable(PrintStream out) {
        this.out = out;
    }

    void header() {
        out.printf(FORMAT, "#", "killed", "planned at", "hit at", "back in", "shards", "job", "checkpoints",
                "final predictions (test texts)", "serving", "outcome");
    }

    void row(TrialResult r) {
        Verdict v = r.verdict();
        String outcome = !r.injected() ? "MISSED (run ended first)" + (v.passed() ? "" : "; " + v.failures())
                : r.passed() ? "ok" : "FAILED: " + (r.injectorError() != null ? r.injectorError() : v.failures());
        String planned = r.fault().when() + (r.retried() ? " (2nd)" : "");
        out.printf(FORMAT, r.number(), r.killedText(), planned, seconds(r.injectedAt()),
                seconds(r.downtime()), v.detail("shards"), v.detail("job"), v.detail("checkpoints"),
                v.detail("predictions"), v.detail("serving"), outcome);
        out.flush();
    }

    void summary(List<TrialResult> results) {
        long passed = results.stream().filter(r -> r.injected() && r.passed()).count();
        long missed = results.stream().filter(r -> !r.injected()).count();
        long failed = results.size() - passed - missed;
        long republished = results.stream().mapToLong(r -> r.verdict().repeatedResults()).sum();
        long retried = results.stream().filter(TrialResult::retried).count();
        out.printf("%d trials: %d passed, %d failed, %d missed (%d run twice, the first run ending before the fault);"
                + " %d evaluation results re-published%n", results.size(), passed, failed, missed, retried, republished);
        out.printf("{\"trials\": %d, \"passed\": %d, \"failed\": %d, \"missed\": %d, \"run_twice\": %d,"
                + " \"republished_results\": %d}%n", results.size(), passed, failed, missed, retried, republished);
    }

    private static String seconds(long millis) {
        return millis < 0 ? "-" : String.format("%.1fs", millis / 1000.0);
    }
}

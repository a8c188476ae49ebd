package io.finetune.local.crash;

import java.io.PrintStream;
import java.util.List;

/** The crash test's output: one row per trial, then a summary and one JSON line for scripts. */
final class TrialTable {
    private static final String FORMAT = "%-3s %-19s %-22s %8s %8s  %-34s %-14s %-30s %-32s %s%n";
    private final PrintStream out;

    TrialTable(PrintStream out) {
        this.out = out;
    }

    void header() {
        out.printf(FORMAT, "#", "killed", "planned at", "hit at", "back in", "shards", "job", "evaluations",
                "final metrics", "outcome");
    }

    void row(TrialResult r) {
        Verdict v = r.verdict();
        String outcome = !r.injected() ? "MISSED (run ended first)"
                : r.passed() ? "ok" : "FAILED: " + (r.injectorError() != null ? r.injectorError() : v.failures());
        out.printf(FORMAT, r.number(), r.fault().target(), r.fault().when(), seconds(r.injectedAt()),
                seconds(r.downtime()), v.detail("shards"), v.detail("job"), v.detail("evaluations"),
                v.detail("metrics"), outcome);
        out.flush();
    }

    void summary(List<TrialResult> results) {
        long passed = results.stream().filter(r -> r.injected() && r.passed()).count();
        long missed = results.stream().filter(r -> !r.injected()).count();
        long failed = results.size() - passed - missed;
        long republished = results.stream().mapToLong(r -> r.verdict().repeatedResults()).sum();
        out.printf("%d trials: %d passed, %d failed, %d missed; %d evaluation results re-published%n",
                results.size(), passed, failed, missed, republished);
        out.printf("{\"trials\": %d, \"passed\": %d, \"failed\": %d, \"missed\": %d, \"republished_results\": %d}%n",
                results.size(), passed, failed, missed, republished);
    }

    private static String seconds(long millis) {
        return millis < 0 ? "-" : String.format("%.1fs", millis / 1000.0);
    }
}

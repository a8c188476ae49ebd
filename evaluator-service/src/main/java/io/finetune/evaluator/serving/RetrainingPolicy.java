package io.finetune.evaluator.serving;

import java.util.List;

/**
 * When a deployment retrains its champion (docs/serving.md#retraining): on request only, or also whenever a newer build
 * of the champion's dataset is prepared (a continuous dataset's next version, or a dataset sealed again); and what the
 * new job starts from. The job trains on the newer build that triggered it (asked for: the dataset's newest when the
 * trainer starts it) with the champion's hyperparameters as its job submitted them, so a setting left to the trainer's
 * default is still left to it.
 *
 * @param trigger   {@link #ON_REQUEST} or {@link #NEW_BUILD}
 * @param warmStart {@link #CHAMPION}: the champion's weights (baseModel {@code checkpoint:<id>}); {@link #BASE}: the
 *                  pretrained model the champion's line of jobs began with
 * @param lastBuild the newer build a job was last submitted for by {@link #NEW_BUILD}, so that no build is trained
 *                  twice on its account (after a restart, or when its challenger lost); null before the first
 * @param lastJob   the last job this policy submitted, either way; null before the first
 */
public record RetrainingPolicy(String trigger, String warmStart, String lastBuild, String lastJob) {
    public static final String ON_REQUEST = "on-request";
    public static final String NEW_BUILD = "new-build";
    public static final String CHAMPION = "champion";
    public static final String BASE = "base";
    private static final List<String> TRIGGERS = List.of(ON_REQUEST, NEW_BUILD);
    private static final List<String> STARTS = List.of(CHAMPION, BASE);

    /**
     * A policy as a request gives it: trigger required, warm start default {@link #CHAMPION} (a few epochs on the new
     * data from where the champion is, the cheapest way to keep what it learnt).
     *
     * @throws ServingException INVALID_POLICY naming each problem
     */
    public static RetrainingPolicy of(String trigger, String warmStart) {
        StringBuilder problems = new StringBuilder();
        if (trigger == null || !TRIGGERS.contains(trigger)) {
            problems.append("trigger ").append(trigger == null ? "is required: one of " : "'" + trigger
                    + "' is not one of ").append(String.join(", ", TRIGGERS));
        }
        if (warmStart != null && !STARTS.contains(warmStart)) {
            problems.append(problems.isEmpty() ? "" : "; ").append("warmStart '").append(warmStart)
                    .append("' is not one of ").append(String.join(", ", STARTS));
        }
        if (!problems.isEmpty()) {
            throw new ServingException(ServingException.Kind.INVALID_POLICY, problems.toString());
        }
        return new RetrainingPolicy(trigger, warmStart == null ? CHAMPION : warmStart, null, null);
    }

    public boolean onNewBuilds() {
        return NEW_BUILD.equals(trigger);
    }

    /**
     * After a job was submitted ({@code job} null: a newer build that cannot be retrained, passed over);
     * {@code build} is the newer build that triggered it, or null on request.
     */
    RetrainingPolicy submitted(String job, String build) {
        return new RetrainingPolicy(trigger, warmStart, build == null ? lastBuild : build, job == null ? lastJob : job);
    }

    /** The same settings with what was submitted under the policy it replaces: a build is not trained twice. */
    RetrainingPolicy continuing(RetrainingPolicy before) {
        return before == null ? this : new RetrainingPolicy(trigger, warmStart, before.lastBuild, before.lastJob);
    }
}

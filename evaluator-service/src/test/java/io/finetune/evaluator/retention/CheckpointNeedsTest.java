package io.finetune.evaluator.retention;

import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.ClassMetrics;
import io.finetune.contracts.EvaluationResult;
import io.finetune.contracts.Hyperparameters;
import io.finetune.contracts.Json;
import io.finetune.evaluator.domain.EvaluatedCheckpoint;
import io.finetune.evaluator.serving.Deployment;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The rule of what stays on the checkpoints topic, case by case. */
class CheckpointNeedsTest {
    private static final Instant AT = Instant.parse("2026-12-06T18:00:00Z");

    private final List<EvaluatedCheckpoint> evaluations = new ArrayList<>();
    private final List<Deployment> deployments = new ArrayList<>();
    private final Set<String> queued = new java.util.HashSet<>();
    private final Set<String> usable = new java.util.HashSet<>();

    private CheckpointNeeds needs() {
        return new CheckpointNeeds(evaluations, deployments, queued::contains, usable::contains);
    }

    @Test
    void aBeatenCheckpointOfAFinishedJobThatNothingUsesIsNotNeeded() {
        evaluations.add(evaluation("job-1", "job-1-epoch-1", 1, false, 0.40, null));
        evaluations.add(evaluation("job-1", "job-1-epoch-2", 2, false, 0.30, null));
        evaluations.add(evaluation("job-1", "job-1-final", 2, true, 0.30, null));

        assertThat(needs().whyNeeded("job-1-epoch-1")).isEmpty();
        assertThat(needs().whyNeeded("job-1-epoch-2")).as("the final holds its weights").isEmpty();
        assertThat(needs().whyNeeded("job-1-final")).hasValueSatisfying(why -> assertThat(why).contains("best"));
    }

    @Test
    void whatWaitsForItsEvaluationOrWasNeverEvaluatedIsNeeded() {
        evaluations.add(evaluation("job-1", "job-1-epoch-1", 1, false, 0.40, null));
        evaluations.add(evaluation("job-1", "job-1-final", 1, true, 0.30, null));
        queued.add("job-1-epoch-1"); // evaluated before a stop, queued again: the queue decides

        assertThat(needs().whyNeeded("job-1-epoch-1")).hasValue("queued for evaluation");
        assertThat(needs().whyNeeded("job-2-epoch-1")).hasValueSatisfying(why -> assertThat(why)
                .contains("no evaluation on record"));
    }

    @Test
    void aDeployedCheckpointAndTheOneItRollsBackToAreNeeded() {
        evaluations.add(evaluation("job-1", "job-1-epoch-1", 1, false, 0.50, null));
        evaluations.add(evaluation("job-1", "job-1-epoch-2", 2, false, 0.40, null));
        evaluations.add(evaluation("job-1", "job-1-epoch-3", 3, false, 0.45, null));
        evaluations.add(evaluation("job-1", "job-1-final", 2, true, 0.40, null));
        deployments.add(new Deployment("phishing", "job-1-epoch-3", "job-1-epoch-1", AT, AT, null, null,
                List.of("text")));

        assertThat(needs().whyNeeded("job-1-epoch-3")).hasValue("deployment 'phishing' serves it");
        assertThat(needs().whyNeeded("job-1-epoch-1")).hasValue("deployment 'phishing' rolls back to it");
        assertThat(needs().whyNeeded("job-1-epoch-2")).isEmpty();
    }

    @Test
    void whileAJobHasNoFinalCheckpointItsBestSoFarIsNeededAndTiesAreKept() {
        evaluations.add(evaluation("job-1", "job-1-epoch-1", 1, false, 0.50, null));
        evaluations.add(evaluation("job-1", "job-1-epoch-2", 2, false, 0.35, null));
        evaluations.add(evaluation("job-1", "job-1-epoch-3", 3, false, 0.35, null));
        evaluations.add(evaluation("job-1", "job-1-epoch-4", 4, false, 0.60, null));

        assertThat(needs().whyNeeded("job-1-epoch-1")).isEmpty();
        assertThat(needs().whyNeeded("job-1-epoch-2")).hasValueSatisfying(why -> assertThat(why)
                .contains("best of job 'job-1' so far by validation loss"));
        assertThat(needs().whyNeeded("job-1-epoch-3")).isPresent();
        assertThat(needs().whyNeeded("job-1-epoch-4")).isEmpty();
    }

    @Test
    void theBestSoFarFollowsTheJobsMetricAndItsDirection() {
        Hyperparameters byF1 = Json.read("{\"metricForBestModel\": \"macro_f1\"}", Hyperparameters.class);
        // Lower loss but lower macro-F1: by macro_f1 (greater is better) epoch 2 wins.
        evaluations.add(evaluation("job-1", "job-1-epoch-1", 1, false, 0.30, byF1, 0.70));
        evaluations.add(evaluation("job-1", "job-1-epoch-2", 2, false, 0.40, byF1, 0.80));

        assertThat(needs().whyNeeded("job-1-epoch-1")).isEmpty();
        assertThat(needs().whyNeeded("job-1-epoch-2")).hasValueSatisfying(why -> assertThat(why)
                .contains("macro_f1"));
    }

    @Test
    void checkpointsThatCannotBeRankedAreKept() {
        Hyperparameters byF1 = Json.read("{\"metricForBestModel\": \"macro_f1\"}", Hyperparameters.class);
        evaluations.add(evaluation("job-1", "job-1-epoch-1", 1, false, 0.30, byF1)); // no validation metrics recorded
        evaluations.add(evaluation("job-1", "job-1-epoch-2", 2, false, 0.40, byF1, 0.80));

        assertThat(needs().whyNeeded("job-1-epoch-1")).hasValueSatisfying(why -> assertThat(why)
                .contains("no validation macro_f1"));
        assertThat(needs().whyNeeded("job-1-epoch-2")).as("nothing ranked beats it").isPresent();
    }

    @Test
    void aModelTheEvaluatorStillHoldsIsNeeded() {
        evaluations.add(evaluation("job-1", "job-1-epoch-1", 1, false, 0.40, null));
        evaluations.add(evaluation("job-1", "job-1-final", 1, true, 0.30, null));
        usable.add("job-1-epoch-1"); // among the newest models on the shelf: /predict and deployments may name it

        assertThat(needs().whyNeeded("job-1-epoch-1")).hasValueSatisfying(why -> assertThat(why)
                .contains("still holds its model"));
    }

    @Test
    void checkpointsOfOtherJobsDoNotCompete() {
        evaluations.add(evaluation("job-1", "job-1-epoch-1", 1, false, 0.40, null));
        evaluations.add(evaluation("job-2", "job-2-epoch-1", 1, false, 0.10, null));

        assertThat(needs().whyNeeded("job-1-epoch-1")).as("job-1's best so far").isPresent();
        assertThat(needs().whyNeeded("job-2-epoch-1")).isPresent();
    }

    private static EvaluatedCheckpoint evaluation(String job, String checkpoint, int epoch, boolean last,
                                                  double validationLoss, Hyperparameters hyperparameters) {
        return evaluation(job, checkpoint, epoch, last, validationLoss, hyperparameters, null);
    }

    /** @param macroF1 the validation macro-F1 its history records for its own step, or null for none */
    private static EvaluatedCheckpoint evaluation(String job, String checkpoint, int epoch, boolean last,
                                                  double validationLoss, Hyperparameters hyperparameters,
                                                  Double macroF1) {
        EvaluationResult result = new EvaluationResult(EvaluationResult.VERSION, job, checkpoint, "reviews", epoch,
                epoch * 100L, "test", 10, 0.8, 0.5, 0.8, 0.8, List.of("NEGATIVE", "POSITIVE"),
                List.of(new ClassMetrics("NEGATIVE", 0.8, 0.8, 0.8, 5), new ClassMetrics("POSITIVE", 0.8, 0.8, 0.8, 5)),
                new int[][]{{4, 1}, {1, 4}}, AT, 0.9, 0.85, 0.05,
                List.of(new EvaluationResult.LengthBucket(1, 16, 10, 0.8)), "fp32");
        List<CheckpointInfo.EpochMetrics> history = List.of(new CheckpointInfo.EpochMetrics(epoch, epoch * 100L, 0.2,
                validationLoss, 0.8, macroF1 == null ? null : Map.of("macro_f1", macroF1)));
        CheckpointInfo info = new CheckpointInfo(CheckpointInfo.VERSION, job, checkpoint, "reviews", "b1",
                "distilbert-tiny", epoch, epoch * 100L, last, 0.2, validationLoss, 0.8, hyperparameters, history);
        return new EvaluatedCheckpoint(result, info, null, null, List.of(), 0, null);
    }
}

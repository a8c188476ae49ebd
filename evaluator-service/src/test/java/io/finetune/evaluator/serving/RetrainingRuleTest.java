package io.finetune.evaluator.serving;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which build a deployment retraining on newer builds trains, and which policies a request may set. */
class RetrainingRuleTest {
    @Test
    void theNewestBuildAfterTheChampionsIsTrainedOnce() {
        assertThat(Retraining.newerBuild(List.of("b1", "b2", "b3"), "b1", null)).contains("b3");
        assertThat(Retraining.newerBuild(List.of("b1", "b2", "b3"), "b2", "b2")).contains("b3");
        // Submitted already (before a restart, or its challenger lost): not again.
        assertThat(Retraining.newerBuild(List.of("b1", "b2", "b3"), "b1", "b3")).isEmpty();
    }

    @Test
    void nothingIsNewerThanTheChampionsOwnBuildOrABuildNotYetRead() {
        assertThat(Retraining.newerBuild(List.of("b1", "b2"), "b2", null)).isEmpty();
        // The champion's build is not read yet: every build before it on the partition is older.
        assertThat(Retraining.newerBuild(List.of("b1", "b2"), "b3", null)).isEmpty();
        assertThat(Retraining.newerBuild(List.of(), "b1", null)).isEmpty();
    }

    @Test
    void aPolicyNeedsAKnownTriggerAndWarmStartAndStartsFromTheChampionByDefault() {
        assertThat(RetrainingPolicy.of("new-build", null)).isEqualTo(new RetrainingPolicy("new-build", "champion",
                null, null));
        assertThat(RetrainingPolicy.of("on-request", "base").warmStart()).isEqualTo("base");
        assertThatThrownBy(() -> RetrainingPolicy.of(null, "scratch")).isInstanceOf(ServingException.class)
                .hasMessageContaining("trigger is required: one of on-request, new-build")
                .hasMessageContaining("warmStart 'scratch' is not one of champion, base");
        assertThatThrownBy(() -> RetrainingPolicy.of("nightly", null))
                .hasMessageContaining("trigger 'nightly' is not one of on-request, new-build");
    }

    @Test
    void aNewPolicyKeepsWhatTheOldOneSubmitted() {
        RetrainingPolicy before = RetrainingPolicy.of("new-build", null).submitted("retrain-spam-b2", "b2");
        RetrainingPolicy after = RetrainingPolicy.of("new-build", "base").continuing(before);
        assertThat(after).isEqualTo(new RetrainingPolicy("new-build", "base", "b2", "retrain-spam-b2"));
        // A build passed over (it cannot be retrained) is noted without forgetting the last job.
        assertThat(after.submitted(null, "b3")).isEqualTo(new RetrainingPolicy("new-build", "base", "b3",
                "retrain-spam-b2"));
    }
}

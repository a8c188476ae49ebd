package io.finetune.local.crash;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Crash trials against the evaluator's serving replicas: the target, its window, the replicas it picks from. */
class ServingReplicaTargetTest {
    @Test
    void serviceReplicasComeFromTheCommandLineAndAddTheirTarget() {
        CrashTrials.Options options = CrashTrials.Options.parse(
                new String[]{"--replicas", "evaluator-serving=2,trainer-service=2"});

        assertThat(options.replicas()).containsExactlyInAnyOrderEntriesOf(
                Map.of("evaluator-serving", 2, "trainer-service", 2));
        assertThat(options.targets()).containsAll(FaultPlan.ALL_TARGETS).contains(FaultPlan.SERVING_REPLICA);
        assertThat(CrashTrials.Options.parse(new String[0]).targets()).isEqualTo(FaultPlan.ALL_TARGETS);
    }

    @Test
    void theReplicaTargetNeedsReplicas() {
        assertThatThrownBy(() -> CrashTrials.Options.parse(new String[]{"--targets", "serving-replica"}))
                .hasMessageContaining("--replicas evaluator-serving=N");
        assertThat(CrashTrials.Options.parse(new String[]{"--targets", "serving-replica", "--replicas",
                "evaluator-serving=1"}).targets()).containsExactly("serving-replica");
    }

    @Test
    void aReplicaIsKilledWhileItServesAndTheEvaluatorsServingTargetStaysTheEvaluator() {
        assertThat(Fault.service(FaultPlan.SERVING_REPLICA)).isEqualTo("evaluator-serving");
        assertThat(Fault.service(FaultPlan.SERVING)).isEqualTo("evaluator-service");

        Timeline baseline = new Timeline();
        baseline.mark(Timeline.DEPLOYED);
        baseline.mark(Timeline.SERVED);
        List<Fault> faults = FaultPlan.plan(baseline, List.of(FaultPlan.SERVING_REPLICA), 6, 1,
                Map.of("evaluator-serving", 2));
        assertThat(faults).allSatisfy(f -> {
            assertThat(f.anchor()).isEqualTo(Timeline.DEPLOYED);
            assertThat(f.end()).isEqualTo(Timeline.SERVED);
        });
        // Two replicas: each trial kills the busy one or the other, and the seed draws both.
        assertThat(faults).extracting(Fault::process).containsOnly(Fault.BUSY, Fault.OTHER)
                .contains(Fault.BUSY, Fault.OTHER);
    }
}

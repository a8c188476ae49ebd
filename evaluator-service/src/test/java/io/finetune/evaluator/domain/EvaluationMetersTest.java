package io.finetune.evaluator.domain;

import io.finetune.contracts.EvaluationResult;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EvaluationMetersTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void gaugesAreLabelledWithTheTrainingJobNotPrometheusJobLabel() {
        EvaluationMeters meters = new EvaluationMeters(registry, 10);
        meters.evaluated(evaluation("job-a", 0.75), Duration.ofSeconds(1));

        assertThat(registry.get("finetune.evaluator.accuracy").tag("training_job", "job-a").tag("dataset", "d")
                .gauge().value()).isEqualTo(0.75);
        assertThat(registry.getMeters()).allSatisfy(m -> {
            assertThat(m.getId().getName()).startsWith("finetune.evaluator.");
            assertThat(m.getId().getTag("job")).isNull();
        });
        assertThat(registry.get("finetune.evaluator.evaluation.duration").timer().count()).isEqualTo(1);
    }

    @Test
    void onlyTheJobsEvaluatedLastKeepTheirGauges() {
        EvaluationMeters meters = new EvaluationMeters(registry, 2);
        meters.evaluated(evaluation("job-a", 0.5), Duration.ZERO);
        meters.evaluated(evaluation("job-b", 0.6), Duration.ZERO);
        meters.evaluated(evaluation("job-a", 0.7), Duration.ZERO); // job-a is the newest again
        meters.evaluated(evaluation("job-c", 0.8), Duration.ZERO); // job-b, evaluated longest ago, makes room

        assertThat(jobs()).containsExactlyInAnyOrder("job-a", "job-c");
        assertThat(registry.get("finetune.evaluator.accuracy").tag("training_job", "job-a").gauge().value())
                .isEqualTo(0.7);
        // two-class jobs: accuracy, macro/weighted F1, log loss, ROC AUC, PR AUC, for two jobs
        assertThat(registry.getMeters().stream().filter(m -> m.getId().getTag("training_job") != null)).hasSize(12);

        meters.evaluated(evaluation("job-b", 0.9), Duration.ZERO); // back, with fresh gauges
        assertThat(jobs()).containsExactlyInAnyOrder("job-b", "job-c");
        assertThat(registry.get("finetune.evaluator.accuracy").tag("training_job", "job-b").gauge().value())
                .isEqualTo(0.9);
    }

    private List<String> jobs() {
        return registry.find("finetune.evaluator.accuracy").gauges().stream().map(Meter::getId)
                .map(id -> id.getTag("training_job")).toList();
    }

    private static EvaluatedCheckpoint evaluation(String job, double accuracy) {
        EvaluationResult result = new EvaluationResult(EvaluationResult.VERSION, job, job + "-ckpt", "d", 1, 1L,
                "test", 2, accuracy, 0.7, 0.5, 0.5, List.of("NEGATIVE", "POSITIVE"), List.of(),
                new int[][]{{1, 0}, {1, 0}}, Instant.EPOCH, 0.6, 0.6, null, null, null);
        return new EvaluatedCheckpoint(result, null, null, null, List.of(), 0, null);
    }
}

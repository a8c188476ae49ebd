package io.finetune.evaluator.domain;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.finetune.contracts.ClassMetrics;
import io.finetune.contracts.EvaluationResult;
import io.finetune.contracts.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EvaluationStoreTest {
    @TempDir
    Path dataDir;

    @Test
    void evaluationsSurviveARestartSoRedeliveredCheckpointsStayDeduplicated() {
        EvaluationStore store = new EvaluationStore(workspace());
        store.save(evaluation("job-a", "ckpt-1", 1, 0.80, 0.50, 0.70, Instant.parse("2026-01-01T00:00:00Z")));

        EvaluationStore restarted = new EvaluationStore(workspace());

        assertThat(restarted.contains("ckpt-1")).isTrue();
        assertThat(restarted.contains("ckpt-2")).isFalse();
        EvaluatedCheckpoint loaded = restarted.get("ckpt-1").orElseThrow();
        assertThat(loaded.result().accuracy()).isEqualTo(0.80);
        assertThat(loaded.result().confusionMatrix()).isDeepEqualTo(new int[][]{{4, 1}, {1, 4}});
        assertThat(loaded.rocAuc()).isEqualTo(0.9);
        assertThat(loaded.result().precision()).isEqualTo("bf16");
    }

    @Test
    void aResultStoredBeforeItsPrecisionWasRecordedStillLoads() throws Exception {
        EvaluationStore store = new EvaluationStore(workspace());
        store.save(evaluation("job-a", "old", 1, 0.80, 0.50, 0.70, Instant.parse("2026-01-01T00:00:00Z")));
        Path file = workspace().evaluations().resolve("old.json");
        ObjectNode stored = (ObjectNode) Json.MAPPER.readTree(Files.readString(file));
        assertThat(((ObjectNode) stored.get("result")).remove("precision").asText()).isEqualTo("bf16");
        Files.writeString(file, Json.MAPPER.writeValueAsString(stored));

        EvaluatedCheckpoint loaded = new EvaluationStore(workspace()).get("old").orElseThrow();

        assertThat(loaded.result().precision()).as("null: computed in fp32, before the field existed").isNull();
        assertThat(loaded.result().accuracy()).isEqualTo(0.80);
    }

    @Test
    void listsNewestFirstAndJobsInTrainingOrder() {
        EvaluationStore store = new EvaluationStore(workspace());
        store.save(evaluation("job-a", "a-2", 2, 0.70, 0.60, 0.40, Instant.parse("2026-01-01T00:02:00Z")));
        store.save(evaluation("job-a", "a-1", 1, 0.70, 0.50, 0.50, Instant.parse("2026-01-01T00:03:00Z")));
        store.save(evaluation("job-b", "b-1", 1, 0.90, 0.90, 0.10, Instant.parse("2026-01-01T00:01:00Z")));

        assertThat(store.all()).extracting(e -> e.result().checkpointId()).containsExactly("a-1", "a-2", "b-1");
        assertThat(store.byJob("job-a")).extracting(e -> e.result().checkpointId()).containsExactly("a-1", "a-2");
        assertThat(store.byJob("job-c")).isEmpty();
    }

    @Test
    void bestFollowsEachMetricsDirectionAndPrefersTheEarlierCheckpointOnATie() {
        EvaluationStore store = new EvaluationStore(workspace());
        store.save(evaluation("job-a", "a-1", 1, 0.70, 0.50, 0.50, Instant.parse("2026-01-01T00:01:00Z")));
        store.save(evaluation("job-a", "a-2", 2, 0.70, 0.60, 0.40, Instant.parse("2026-01-01T00:02:00Z")));
        store.save(evaluation("job-a", "a-3", 3, 0.65, 0.55, 0.30, Instant.parse("2026-01-01T00:03:00Z")));

        assertThat(best(store, SelectionMetric.ACCURACY)).isEqualTo("a-1"); // 0.70 twice: the earlier one
        assertThat(best(store, SelectionMetric.MACRO_F1)).isEqualTo("a-2");
        assertThat(best(store, SelectionMetric.LOG_LOSS)).isEqualTo("a-3"); // lowest loss wins
        assertThat(store.best("job-z", SelectionMetric.ACCURACY)).isEmpty();
    }

    @Test
    void metricsUndefinedForAJobSelectNothing() {
        EvaluationStore store = new EvaluationStore(workspace());
        EvaluatedCheckpoint multiClass = evaluation("job-m", "m-1", 1, 0.5, 0.5, 1.0, Instant.now());
        EvaluationResult r = multiClass.result();
        store.save(new EvaluatedCheckpoint(new EvaluationResult(r.v(), r.jobId(), r.checkpointId(), r.dataset(),
                r.epoch(), r.step(), r.split(), r.examples(), r.accuracy(), r.logLoss(), r.macroF1(), r.weightedF1(),
                r.labels(), r.perClass(), r.confusionMatrix(), r.evaluatedAt(), null, null, null, null, "fp32"), null,
                null, null, List.of(), 0));

        assertThat(store.best("job-m", SelectionMetric.ROC_AUC)).isEmpty();
        assertThat(SelectionMetric.parse("MACRO_F1")).contains(SelectionMetric.MACRO_F1);
        assertThat(SelectionMetric.parse("f2")).isEmpty();
    }

    private static String best(EvaluationStore store, SelectionMetric metric) {
        return store.best("job-a", metric).orElseThrow().result().checkpointId();
    }

    private static EvaluatedCheckpoint evaluation(String job, String checkpoint, int epoch, double accuracy,
                                                  double macroF1, double logLoss, Instant at) {
        EvaluationResult result = new EvaluationResult(EvaluationResult.VERSION, job, checkpoint, "reviews", epoch,
                epoch * 100L, "test", 10, accuracy, logLoss, macroF1, macroF1, List.of("NEGATIVE", "POSITIVE"),
                List.of(new ClassMetrics("NEGATIVE", 0.8, 0.8, 0.8, 5), new ClassMetrics("POSITIVE", 0.8, 0.8, 0.8, 5)),
                new int[][]{{4, 1}, {1, 4}}, at, 0.9, 0.85, 0.05,
                List.of(new EvaluationResult.LengthBucket(1, 16, 10, accuracy)), "bf16");
        return new EvaluatedCheckpoint(result, null, null, null, List.of(), 0);
    }

    private Workspace workspace() {
        return new Workspace(TestEvaluatorConfig.in(dataDir));
    }
}

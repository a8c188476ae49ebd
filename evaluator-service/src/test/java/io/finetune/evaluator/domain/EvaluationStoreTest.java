package io.finetune.evaluator.domain;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.finetune.contracts.CheckpointInfo;
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
    void theFinalCheckpointComesLastThoughItHoldsAnEarlierEpoch() {
        EvaluationStore store = new EvaluationStore(workspace());
        store.save(evaluation("job-a", "a-epoch-1", 1, false, 0.7, 0.7, 0.5, Instant.parse("2026-01-01T00:01:00Z")));
        store.save(evaluation("job-a", "a-epoch-2", 2, false, 0.6, 0.6, 0.6, Instant.parse("2026-01-01T00:02:00Z")));
        store.save(evaluation("job-a", "a-epoch-3", 3, false, 0.6, 0.6, 0.7, Instant.parse("2026-01-01T00:03:00Z")));
        store.save(evaluation("job-a", "a-final", 1, true, 0.7, 0.7, 0.5, Instant.parse("2026-01-01T00:04:00Z")));

        assertThat(store.byJob("job-a")).extracting(e -> e.result().checkpointId())
                .containsExactly("a-epoch-1", "a-epoch-2", "a-epoch-3", "a-final");
    }

    @Test
    void theBestCheckpointIsTheTrainersFinalOneWhateverTheTestFiguresOfTheOthers() {
        EvaluationStore store = new EvaluationStore(workspace());
        store.save(evaluation("job-a", "a-epoch-1", 1, false, 0.90, 0.90, 0.20, Instant.parse("2026-01-01T00:01:00Z")));
        store.save(evaluation("job-a", "a-epoch-2", 2, false, 0.70, 0.60, 0.40, Instant.parse("2026-01-01T00:02:00Z")));
        assertThat(store.best("job-a")).as("training has not ended yet").isEmpty();

        store.save(evaluation("job-a", "a-final", 2, true, 0.70, 0.60, 0.40, Instant.parse("2026-01-01T00:03:00Z")));

        assertThat(store.best("job-a")).map(e -> e.result().checkpointId()).contains("a-final");
        assertThat(store.best("job-z")).isEmpty();
    }

    private static EvaluatedCheckpoint evaluation(String job, String checkpoint, int epoch, double accuracy,
                                                  double macroF1, double logLoss, Instant at) {
        return evaluation(job, checkpoint, epoch, false, accuracy, macroF1, logLoss, at);
    }

    /** @param last whether it is the job's final checkpoint, as its checkpoint.json says */
    private static EvaluatedCheckpoint evaluation(String job, String checkpoint, int epoch, boolean last,
                                                  double accuracy, double macroF1, double logLoss, Instant at) {
        EvaluationResult result = new EvaluationResult(EvaluationResult.VERSION, job, checkpoint, "reviews", epoch,
                epoch * 100L, "test", 10, accuracy, logLoss, macroF1, macroF1, List.of("NEGATIVE", "POSITIVE"),
                List.of(new ClassMetrics("NEGATIVE", 0.8, 0.8, 0.8, 5), new ClassMetrics("POSITIVE", 0.8, 0.8, 0.8, 5)),
                new int[][]{{4, 1}, {1, 4}}, at, 0.9, 0.85, 0.05,
                List.of(new EvaluationResult.LengthBucket(1, 16, 10, accuracy)), "bf16");
        CheckpointInfo info = new CheckpointInfo(CheckpointInfo.VERSION, job, checkpoint, "reviews", "b1",
                "distilbert-tiny", epoch, epoch * 100L, last, 0.3, 0.4, 0.8, null, List.of());
        return new EvaluatedCheckpoint(result, info, null, null, List.of(), 0, null);
    }

    private Workspace workspace() {
        return new Workspace(TestEvaluatorConfig.in(dataDir));
    }
}

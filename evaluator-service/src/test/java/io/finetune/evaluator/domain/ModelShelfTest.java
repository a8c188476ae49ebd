package io.finetune.evaluator.domain;

import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.EvaluationResult;
import io.finetune.evaluator.config.EvaluatorConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ModelShelfTest {
    @TempDir
    Path dataDir;

    @Test
    void keepsTheNewestModelsAndEachJobsBest() throws Exception {
        Workspace workspace = new Workspace(config());
        EvaluationStore store = new EvaluationStore(workspace);
        // job-a's best is its final checkpoint, whatever a-epoch-1's higher test accuracy; the two newest are b-2, b-1.
        save(store, workspace, "job-a", "a-epoch-1", false, 0.90, "2026-01-01T00:01:00Z");
        save(store, workspace, "job-a", "a-final", true, 0.70, "2026-01-01T00:02:00Z");
        save(store, workspace, "job-b", "b-1", false, 0.60, "2026-01-01T00:03:00Z");
        save(store, workspace, "job-b", "b-2", false, 0.50, "2026-01-01T00:04:00Z");
        Files.createDirectories(workspace.modelOf("never-evaluated")); // left by a crash mid-evaluation

        ModelShelf shelf = new ModelShelf(workspace, store, config());
        shelf.prune();

        try (var dirs = Files.list(workspace.models())) {
            assertThat(dirs.map(d -> d.getFileName().toString())).containsExactlyInAnyOrder("a-final", "b-1",
                    "b-2");
        }
        assertThat(shelf.model("b-2")).contains(workspace.modelOf("b-2"));
        assertThat(shelf.model("a-epoch-1")).isEmpty();
        assertThat(shelf.model("unknown")).isEmpty();
    }

    /** @param last whether it is the job's final checkpoint, as its checkpoint.json says */
    private static void save(EvaluationStore store, Workspace workspace, String job, String checkpoint, boolean last,
                             double accuracy, String at) throws Exception {
        Files.createDirectories(workspace.modelOf(checkpoint));
        Files.writeString(workspace.modelOf(checkpoint).resolve("model.safetensors"), "weights");
        store.save(new EvaluatedCheckpoint(new EvaluationResult(EvaluationResult.VERSION, job, checkpoint, "d", 1, 1L,
                "test", 10, accuracy, 0.5, accuracy, accuracy, List.of("a", "b"), List.of(), new int[][]{{5, 0}, {0, 5}},
                Instant.parse(at), null, null, null, null, "fp32"), new CheckpointInfo(CheckpointInfo.VERSION, job,
                checkpoint, "d", "b", "distilbert-tiny", 1, 1L, last, 0.3, 0.4, 0.8, null, List.of()), null, null,
                List.of(), 0, null));
    }

    private EvaluatorConfig config() {
        return TestEvaluatorConfig.in(dataDir);
    }
}

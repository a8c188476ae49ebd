package io.finetune.evaluator.domain;

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
        // job-a's best (0.9) is its oldest; the two newest are b-2 and b-1.
        save(store, workspace, "job-a", "a-1", 0.90, "2026-01-01T00:01:00Z");
        save(store, workspace, "job-a", "a-2", 0.70, "2026-01-01T00:02:00Z");
        save(store, workspace, "job-b", "b-1", 0.60, "2026-01-01T00:03:00Z");
        save(store, workspace, "job-b", "b-2", 0.50, "2026-01-01T00:04:00Z");
        Files.createDirectories(workspace.modelOf("never-evaluated")); // left by a crash mid-evaluation

        ModelShelf shelf = new ModelShelf(workspace, store, config());
        shelf.prune();

        try (var dirs = Files.list(workspace.models())) {
            assertThat(dirs.map(d -> d.getFileName().toString())).containsExactlyInAnyOrder("a-1", "b-1", "b-2");
        }
        assertThat(shelf.model("b-2")).contains(workspace.modelOf("b-2"));
        assertThat(shelf.model("a-2")).isEmpty();
        assertThat(shelf.model("unknown")).isEmpty();
    }

    private static void save(EvaluationStore store, Workspace workspace, String job, String checkpoint,
                             double accuracy, String at) throws Exception {
        Files.createDirectories(workspace.modelOf(checkpoint));
        Files.writeString(workspace.modelOf(checkpoint).resolve("model.safetensors"), "weights");
        store.save(new EvaluatedCheckpoint(new EvaluationResult(EvaluationResult.VERSION, job, checkpoint, "d", 1, 1L,
                "test", 10, accuracy, 0.5, accuracy, accuracy, List.of("a", "b"), List.of(), new int[][]{{5, 0}, {0, 5}},
                Instant.parse(at), null, null, null, null, "fp32"), null, null, null, List.of(),
                0));
    }

    private EvaluatorConfig config() {
        return TestEvaluatorConfig.in(dataDir);
    }
}

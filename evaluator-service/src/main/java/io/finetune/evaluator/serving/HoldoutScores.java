package io.finetune.evaluator.serving;

import io.finetune.contracts.DatasetShards;
import io.finetune.contracts.Json;
import io.finetune.contracts.SafeNames;
import io.finetune.evaluator.domain.CheckpointScorer;
import io.finetune.evaluator.domain.EvaluatedCheckpoint;
import io.finetune.evaluator.domain.Workspace;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * Checkpoints' metrics on a dataset build's promotion holdout, computed by the evaluator's own scoring
 * ({@link CheckpointScorer#metricsOn}) and kept on disk per checkpoint and build under {@code serving/holdout-scores/}:
 * a champion meets many challengers on one build and is scored once for all of them, across restarts too.
 */
@ApplicationScoped
public class HoldoutScores {
    private static final Logger LOG = Logger.getLogger(HoldoutScores.class);

    /** @param metrics every metric by name ({@code accuracy}, ...); roc_auc and pr_auc absent where undefined */
    public record Score(String checkpoint, String dataset, String build, int examples, Map<String, Double> metrics) {
        public double value(String metric) {
            return metrics.getOrDefault(metric, Double.NaN);
        }
    }

    private final Path dir;
    private final CheckpointScorer scorer;

    public HoldoutScores(Workspace workspace, CheckpointScorer scorer) {
        this.dir = workspace.serving().resolve("holdout-scores");
        this.scorer = scorer;
    }

    /**
     * @param data     the build to score on; it must have a {@link PromotionPolicy#HOLDOUT} split
     * @param modelDir the checkpoint's model
     */
    public Score score(EvaluatedCheckpoint checkpoint, DatasetShards data, Path modelDir) {
        String id = checkpoint.result().checkpointId();
        String build = data.manifest().build();
        Path file = dir.resolve(SafeNames.check(id, "checkpoint id")).resolve(SafeNames.check(build, "build")
                + ".json");
        if (Files.isRegularFile(file)) {
            return Json.read(read(file), Score.class);
        }
        long started = System.nanoTime();
        var metrics = scorer.metricsOn(modelDir, checkpoint.checkpoint(), data, PromotionPolicy.HOLDOUT);
        Score score = new Score(id, data.manifest().dataset(), build, metrics.examples(), metrics.byName());
        LOG.infof("checkpoint %s on the holdout of %s build %s: %s on %d examples in %d ms", id, score.dataset(),
                build, score.metrics(), score.examples(), (System.nanoTime() - started) / 1_000_000);
        write(file, score);
        return score;
    }

    private static void write(Path file, Score score) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, Json.write(score));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the holdout score of " + score.checkpoint(), e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.finetune.evaluator.domain;

import io.finetune.evaluator.config.EvaluatorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The model directories of evaluated checkpoints, kept so that /predict and model downloads work without the trainer.
 * Disk is bounded: after each evaluation only the {@link EvaluatorConfig#keepModels()} newest models stay, plus each
 * job's best checkpoint, the trainer's final one (what a user most likely wants to take away).
 */
@ApplicationScoped
public class ModelShelf {
    private static final Logger LOG = Logger.getLogger(ModelShelf.class);
    /**
     * The files of a Hugging Face model directory that {@code from_pretrained} reads, and the settings it was trained
     * with.
     */
    public static final List<String> HF_FILES = List.of("config.json", "model.safetensors", "tokenizer.json",
            "tokenizer_config.json", "vocab.txt", "special_tokens_map.json",
            io.finetune.contracts.TrainingSettings.TRAINING_ARGS_FILE);

    private final Workspace workspace;
    private final EvaluationStore store;
    private final int keep;

    public ModelShelf(Workspace workspace, EvaluationStore store, EvaluatorConfig config) {
        this.workspace = workspace;
        this.store = store;
        this.keep = config.keepModels();
    }

    /** The checkpoint's model directory, when it was evaluated and is still kept. */
    public Optional<Path> model(String checkpointId) {
        if (!store.contains(checkpointId)) {
            return Optional.empty();
        }
        Path dir = workspace.modelOf(checkpointId);
        return Files.isRegularFile(dir.resolve("model.safetensors")) ? Optional.of(dir) : Optional.empty();
    }

    /** Call on the evaluation worker only: it must not race an extraction in progress. */
    public void prune() {
        Set<String> kept = new HashSet<>();
        store.all().stream().limit(keep).forEach(e -> kept.add(e.result().checkpointId()));
        store.all().stream().map(e -> e.result().jobId()).distinct()
                .forEach(job -> store.best(job).ifPresent(best -> kept.add(best.result().checkpointId())));
        if (!Files.isDirectory(workspace.models())) {
            return;
        }
        try (Stream<Path> dirs = Files.list(workspace.models())) {
            for (Path dir : dirs.toList()) {
                if (!kept.contains(dir.getFileName().toString())) {
                    LOG.infof("removing model %s: neither among the %d newest nor a job's best", dir.getFileName(),
                            keep);
                    Workspace.deleteTree(dir);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

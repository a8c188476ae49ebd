package io.finetune.evaluator.serving;

import io.finetune.evaluator.config.EvaluatorConfig;
import io.finetune.evaluator.domain.EvaluatedCheckpoint;
import io.finetune.evaluator.domain.EvaluationPrecision;
import io.finetune.evaluator.domain.EvaluationStore;
import io.finetune.evaluator.domain.ModelShelf;
import io.finetune.evaluator.domain.Predictions;
import io.finetune.evaluator.domain.TextClassifier;
import io.finetune.evaluator.domain.Workspace;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The models deployments serve. A deployed checkpoint's model is pinned: linked (or copied) out of the
 * {@link ModelShelf}, whose pruning keeps only the newest and best models, into {@code serving/models/}, where it
 * stays while a deployment serves it or could roll back to it. Loaded models stay in memory while deployed; the
 * serving loop releases the others between batches ({@link Deployments#releaseUnused}).
 */
@ApplicationScoped
public class ServingModels {
    private static final Logger LOG = Logger.getLogger(ServingModels.class);

    private final Path dir;
    private final ModelShelf shelf;
    private final EvaluationStore evaluations;
    private final EvaluatorConfig config;
    private final EvaluationPrecision precision;
    private final Map<String, TextClassifier> loaded = new HashMap<>();

    public ServingModels(Workspace workspace, ModelShelf shelf, EvaluationStore evaluations, EvaluatorConfig config,
                         EvaluationPrecision precision) {
        this.dir = workspace.serving().resolve("models");
        this.shelf = shelf;
        this.evaluations = evaluations;
        this.config = config;
        this.precision = precision;
    }

    /**
     * Makes the checkpoint's model servable, whatever the shelf prunes later.
     *
     * @throws ServingException when the checkpoint was never evaluated here, or its model is no longer kept
     */
    public synchronized void pin(String checkpoint) {
        if (evaluations.get(checkpoint).isEmpty()) {
            throw new ServingException(ServingException.Kind.UNKNOWN_CHECKPOINT,
                    "no evaluated checkpoint '" + checkpoint + "'");
        }
        Path target = dir.resolve(checkpoint);
        if (Files.isDirectory(target)) {
            return;
        }
        Path source = shelf.model(checkpoint).orElseThrow(() -> new ServingException(
                ServingException.Kind.MODEL_NOT_KEPT, "the model of checkpoint '" + checkpoint
                + "' is no longer kept (evaluator.keep-models)"));
        Path tmp = dir.resolve(checkpoint + ".tmp");
        try {
            Workspace.deleteTree(tmp);
            Files.createDirectories(tmp);
            for (String name : ModelShelf.HF_FILES) {
                if (Files.isRegularFile(source.resolve(name))) {
                    linkOrCopy(source.resolve(name), tmp.resolve(name));
                }
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot pin the model of checkpoint " + checkpoint, e);
        }
    }

    /** The pinned model of a checkpoint a deployment serves or can roll back to. */
    public Optional<Path> pinned(String checkpoint) {
        Path model = dir.resolve(checkpoint);
        return Files.isDirectory(model) ? Optional.of(model) : Optional.empty();
    }

    /** Labels texts with the pinned checkpoint's model, loading it on first use (dynamic padding per batch). */
    public synchronized List<TextClassifier.Prediction> label(String checkpoint, List<String> texts) {
        TextClassifier classifier = loaded.get(checkpoint);
        if (classifier == null) {
            Path model = dir.resolve(checkpoint);
            EvaluatedCheckpoint evaluation = evaluations.get(checkpoint).orElseThrow(() -> new IllegalStateException(
                    "checkpoint " + checkpoint + " has no evaluation on record"));
            if (!Files.isDirectory(model)) {
                throw new IllegalStateException("checkpoint " + checkpoint + " is not pinned for serving");
            }
            classifier = new TextClassifier(model, Predictions.maxLength(evaluation), config.batchSize(),
                    Predictions.device(config), precision.get());
            loaded.put(checkpoint, classifier);
            LOG.infof("serving checkpoint %s", checkpoint);
        }
        return classifier.predict(texts);
    }

    /** Unloads and unpins every model but {@code kept}: the checkpoints deployments serve or can roll back to. */
    public synchronized void retainOnly(Set<String> kept) {
        loaded.keySet().removeIf(checkpoint -> {
            if (kept.contains(checkpoint)) {
                return false;
            }
            loaded.get(checkpoint).close();
            LOG.infof("no longer serving checkpoint %s: no deployment serves it or can roll back to it", checkpoint);
            return true;
        });
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(dir)) {
            dirs.filter(d -> !kept.contains(d.getFileName().toString())).forEach(Workspace::deleteTree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @PreDestroy
    public synchronized void close() {
        loaded.values().forEach(TextClassifier::close);
        loaded.clear();
    }

    /** A hard link costs no disk (a DistilBERT-base model is ~270 MB); a copy where the file system has none. */
    private static void linkOrCopy(Path source, Path target) throws IOException {
        try {
            Files.createLink(target, source);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(source, target);
        }
    }
}

package io.finetune.evaluator.replica;

import io.finetune.contracts.CheckpointLookup;
import io.finetune.contracts.CheckpointTopicReader;
import io.finetune.contracts.SafeNames;
import io.finetune.evaluator.config.EvaluatorConfig;
import io.finetune.evaluator.domain.EvaluationPrecision;
import io.finetune.evaluator.domain.Predictions;
import io.finetune.evaluator.domain.TextClassifier;
import io.finetune.evaluator.domain.Workspace;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The models a serving replica serves. It has evaluated nothing, so each deployed checkpoint's model is fetched from
 * the checkpoints topic (contracts' {@link CheckpointTopicReader}, as the trainer's warm start fetches one) into
 * {@code <evaluator.data-dir>/replica/models/<checkpoint>/}, loaded with the deployment state's max length, and
 * unloaded and deleted once no deployment serves it.
 */
@ApplicationScoped
public class ReplicaModels {
    private static final Logger LOG = Logger.getLogger(ReplicaModels.class);

    private final Path dir;
    private final Path fetching;
    private final CheckpointTopicReader reader;
    private final EvaluatorConfig config;
    private final EvaluationPrecision precision;
    private final Map<String, TextClassifier> loaded = new ConcurrentHashMap<>();

    /** @param kafkaConfig every {@code kafka.*} setting, security included, as the service's channels get them */
    public ReplicaModels(EvaluatorConfig config, EvaluationPrecision precision,
                         @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.dir = config.dataDir().resolve("replica").resolve("models");
        this.fetching = config.dataDir().resolve("replica").resolve("fetching");
        this.reader = new CheckpointTopicReader(kafkaConfig);
        this.config = config;
        this.precision = precision;
    }

    /**
     * Fetches the checkpoint's model (unless it is on disk already) and loads it, so that it answers at once.
     *
     * @return empty once it can serve, else why it cannot
     */
    Optional<String> prepare(String checkpoint, int maxLength) {
        if (loaded.containsKey(checkpoint)) {
            return Optional.empty();
        }
        if (!SafeNames.isSafe(checkpoint)) {
            return Optional.of("'" + checkpoint + "' is not a checkpoint id");
        }
        Path model = dir.resolve(checkpoint);
        try {
            if (!Files.isDirectory(model)) {
                Path partial = fetching.resolve(checkpoint); // outside dir: never taken for a model, nor released
                Workspace.deleteTree(partial);
                Files.createDirectories(fetching);
                CheckpointLookup lookup = reader.copyTo(checkpoint, partial);
                if (!lookup.found()) {
                    return Optional.of("checkpoint '" + checkpoint + "' is not on " + lookup.where());
                }
                Files.createDirectories(dir);
                Files.move(partial, model, StandardCopyOption.ATOMIC_MOVE);
                LOG.infof("fetched checkpoint %s from the checkpoints topic (%s)", checkpoint, lookup.where());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fetch checkpoint " + checkpoint + " to " + model, e);
        }
        loaded.put(checkpoint, new TextClassifier(model, maxLength, config.batchSize(), Predictions.device(config),
                precision.get()));
        return Optional.empty();
    }

    /** Labels texts with a prepared checkpoint's model. */
    List<TextClassifier.Prediction> label(String checkpoint, List<String> texts) {
        TextClassifier classifier = loaded.get(checkpoint);
        if (classifier == null) {
            throw new IllegalStateException("checkpoint " + checkpoint + " is not loaded on this serving replica");
        }
        return classifier.predict(texts);
    }

    /** Unloads and deletes every model but {@code kept}. */
    void retainOnly(Set<String> kept) {
        loaded.keySet().removeIf(checkpoint -> {
            if (kept.contains(checkpoint)) {
                return false;
            }
            loaded.get(checkpoint).close();
            LOG.infof("no longer serving checkpoint %s: no deployment serves it", checkpoint);
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
    void close() {
        loaded.values().forEach(TextClassifier::close);
        loaded.clear();
    }
}

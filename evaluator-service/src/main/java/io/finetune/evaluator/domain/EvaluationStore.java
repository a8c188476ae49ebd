package io.finetune.evaluator.domain;

import io.finetune.contracts.Json;
import io.finetune.contracts.SafeNames;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Every evaluation this service made, one JSON file per checkpoint in the data directory, mirrored in memory for the
 * REST API. A file exists only once the result was acknowledged by Kafka, so the presence of a checkpoint here is
 * what keeps a redelivered checkpoint from being evaluated (and published) again, also after a restart.
 */
@Startup
@ApplicationScoped
public class EvaluationStore {
    private static final Logger LOG = Logger.getLogger(EvaluationStore.class);
    private static final Comparator<EvaluatedCheckpoint> NEWEST_FIRST =
            Comparator.comparing((EvaluatedCheckpoint e) -> e.result().evaluatedAt()).reversed()
                    .thenComparing(e -> e.result().checkpointId());
    /**
     * The final checkpoint last: it carries the epoch and step of the evaluation whose weights it holds, often an
     * earlier one, but it is what training ended with.
     */
    private static final Comparator<EvaluatedCheckpoint> TRAINING_ORDER =
            Comparator.comparing(EvaluatedCheckpoint::trainersChoice)
                    .thenComparing(e -> e.result().epoch(), Comparator.nullsFirst(Comparator.naturalOrder()))
                    .thenComparing(e -> e.result().step(), Comparator.nullsFirst(Comparator.naturalOrder()))
                    .thenComparing(e -> e.result().evaluatedAt());

    private final Path dir;
    private final Map<String, EvaluatedCheckpoint> byCheckpoint = new ConcurrentHashMap<>();

    public EvaluationStore(Workspace workspace) {
        this.dir = workspace.evaluations();
        load();
    }

    private void load() {
        try {
            Files.createDirectories(dir);
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                    EvaluatedCheckpoint e = Json.read(Files.readString(file), EvaluatedCheckpoint.class);
                    byCheckpoint.put(e.result().checkpointId(), e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read evaluations from " + dir, e);
        }
        LOG.infof("%d evaluations on record in %s", byCheckpoint.size(), dir);
    }

    public boolean contains(String checkpointId) {
        return byCheckpoint.containsKey(checkpointId);
    }

    /** Written to a temporary file and moved into place, so a crash never leaves half a record behind. */
    public void save(EvaluatedCheckpoint evaluation) {
        String id = SafeNames.check(evaluation.result().checkpointId(), "checkpoint id");
        Path file = dir.resolve(id + ".json");
        Path tmp = dir.resolve(id + ".json.tmp");
        try {
            Files.writeString(tmp, Json.write(evaluation));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record evaluation of " + id, e);
        }
        byCheckpoint.put(id, evaluation);
    }

    public Optional<EvaluatedCheckpoint> get(String checkpointId) {
        return Optional.ofNullable(byCheckpoint.get(checkpointId));
    }

    public List<EvaluatedCheckpoint> all() {
        return byCheckpoint.values().stream().sorted(NEWEST_FIRST).toList();
    }

    /** A job's evaluations in training order: epoch, then step, the final checkpoint last. */
    public List<EvaluatedCheckpoint> byJob(String jobId) {
        return byCheckpoint.values().stream().filter(e -> jobId.equals(e.result().jobId())).sorted(TRAINING_ORDER)
                .toList();
    }

    /**
     * The job's best checkpoint, which the trainer chose: its final one ({@link BestCheckpoint}). Empty until the job's
     * training has ended and its final checkpoint was evaluated; a cancelled or failed job never has one. Nothing here
     * chooses by test figures: a choice made on the test split would make them optimistic.
     */
    public Optional<EvaluatedCheckpoint> best(String jobId) {
        return byJob(jobId).stream().filter(EvaluatedCheckpoint::trainersChoice).findFirst();
    }
}

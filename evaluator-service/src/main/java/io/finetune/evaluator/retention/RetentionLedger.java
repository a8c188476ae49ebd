package io.finetune.evaluator.retention;

import io.finetune.contracts.Json;
import io.finetune.contracts.SafeNames;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Which checkpoints this evaluator took off the checkpoints topic and what became of their chunks there, on its
 * volume: {@code held/<id>.json} from the moment a complete checkpoint is queued (its chunk count, which the
 * tombstones need, is known then and gone with the archive later), {@code released/<id>.json} once the tombstones of
 * all its chunk keys were acknowledged. Each file is written to a temporary name and moved into place.
 */
final class RetentionLedger {
    /**
     * A checkpoint whose chunks are on the topic.
     *
     * @param chunks how many chunks it was sent in; 0 for a checkpoint evaluated before this ledger existed, whose
     *               chunks all share one key, the checkpoint id
     * @param bytes  the archive's size, what releasing it frees (0 when unknown)
     */
    record Held(String checkpointId, String jobId, int chunks, long bytes, Instant since) {
    }

    /** A checkpoint whose chunk keys all have tombstones: compaction removes its chunks. */
    record Released(String checkpointId, String jobId, int chunks, long bytes, Instant releasedAt, String why) {
    }

    private final Path held;
    private final Path released;

    RetentionLedger(Path dir) {
        this.held = dir.resolve("held");
        this.released = dir.resolve("released");
    }

    /** Records the checkpoint as held; one released before (its chunks were sent again) is held again. */
    void hold(Held checkpoint) {
        write(held, checkpoint.checkpointId(), checkpoint);
        delete(released, checkpoint.checkpointId());
    }

    void release(Held checkpoint, Instant at, String why) {
        write(released, checkpoint.checkpointId(), new Released(checkpoint.checkpointId(), checkpoint.jobId(),
                checkpoint.chunks(), checkpoint.bytes(), at, why));
        delete(held, checkpoint.checkpointId());
    }

    boolean knows(String checkpointId) {
        return Files.exists(file(held, checkpointId)) || Files.exists(file(released, checkpointId));
    }

    Optional<Released> released(String checkpointId) {
        Path file = file(released, checkpointId);
        return Files.isRegularFile(file) ? Optional.of(read(file, Released.class)) : Optional.empty();
    }

    /** Oldest first. */
    List<Held> held() {
        List<Held> all = new ArrayList<>();
        if (Files.isDirectory(held)) {
            try (Stream<Path> files = Files.list(held)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                    all.add(read(file, Held.class));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + held, e);
            }
        }
        all.sort(Comparator.comparing(Held::since));
        return all;
    }

    private static Path file(Path dir, String checkpointId) {
        return dir.resolve(SafeNames.check(checkpointId, "checkpoint id") + ".json");
    }

    private static void write(Path dir, String checkpointId, Object value) {
        Path file = file(dir, checkpointId);
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(dir);
            Files.writeString(tmp, Json.write(value));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void delete(Path dir, String checkpointId) {
        try {
            Files.deleteIfExists(file(dir, checkpointId));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> T read(Path file, Class<T> type) {
        try {
            return Json.read(Files.readString(file), type);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}

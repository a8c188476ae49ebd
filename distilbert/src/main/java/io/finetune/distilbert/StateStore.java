package io.finetune.distilbert;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A directory of resumable training states, {@code state-<step>}, the newest {@code keep} of them. A state is
 * written into a temporary directory, flushed to disk and then renamed into place, so a process killed at any moment
 * leaves either the complete new state or none of it, never half of one.
 */
public final class StateStore {
    private static final String PREFIX = "state-";
    private static final String TEMP_PREFIX = ".partial-";

    /** Writes the files of one state into the directory it is given. */
    @FunctionalInterface
    public interface Contents {
        void writeTo(Path dir) throws IOException;
    }

    private final Path dir;
    private final int keep;

    public StateStore(Path dir, int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be >= 1");
        }
        this.dir = dir;
        this.keep = keep;
    }

    public Path dir() {
        return dir;
    }

    /** The newest complete state, if any. */
    public Optional<Path> latest() {
        List<Path> states = states();
        return states.isEmpty() ? Optional.empty() : Optional.of(states.get(states.size() - 1));
    }

    /** Writes the state of {@code step} atomically, then deletes the oldest beyond the limit and leftover temps. */
    public Path save(long step, Contents contents) {
        Path target = dir.resolve(String.format("%s%012d", PREFIX, step));
        Path temp = dir.resolve(TEMP_PREFIX + target.getFileName());
        try {
            Files.createDirectories(dir);
            deleteTree(temp);
            Files.createDirectories(temp);
            contents.writeTo(temp);
            try (Stream<Path> files = Files.list(temp)) {
                for (Path file : files.toList()) {
                    force(file);
                }
            }
            deleteTree(target); // the same step saved again, e.g. by a resumed run
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            prune();
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save training state of step " + step + " in " + dir, e);
        }
    }

    /** Complete states, oldest first; the zero-padded step makes name order step order. */
    List<Path> states() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> p.getFileName().toString().startsWith(PREFIX))
                    .filter(p -> Files.isRegularFile(p.resolve(TrainingState.FILE_NAME)))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list training states in " + dir, e);
        }
    }

    private void prune() throws IOException {
        List<Path> states = states();
        for (int i = 0; i < states.size() - keep; i++) {
            deleteTree(states.get(i));
        }
    }

    private static void force(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    private static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}

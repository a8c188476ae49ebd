package io.finetune.trainer.training;

import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.CheckpointLookup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Checkpoints still on this trainer's disk: {@code <data-dir>/jobs/<jobId>/<checkpointId>/}, kept there with
 * {@code trainer.keep-published-checkpoints} (otherwise deleted once the broker has them). A directory counts once
 * its {@code checkpoint.json} is there: {@link CheckpointWriter} writes it after the weights and the tokenizer.
 */
public final class LocalCheckpoints implements CheckpointSource {
    private final Path jobsDir;

    public LocalCheckpoints(Path jobsDir) {
        this.jobsDir = jobsDir;
    }

    @Override
    public CheckpointLookup copyTo(String checkpointId, Path target) {
        Optional<Path> found = find(checkpointId);
        found.ifPresent(dir -> copyFiles(dir, target));
        return new CheckpointLookup(found.isPresent(), "this trainer's " + jobsDir);
    }

    private Optional<Path> find(String checkpointId) {
        if (!Files.isDirectory(jobsDir)) {
            return Optional.empty();
        }
        try (Stream<Path> jobs = Files.list(jobsDir)) {
            return jobs.map(job -> job.resolve(checkpointId))
                    .filter(dir -> Files.isRegularFile(dir.resolve(CheckpointInfo.FILE_NAME))).findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + jobsDir, e);
        }
    }

    /** A copy, not the directory itself: the job that published it may delete it once the broker has it. */
    private static void copyFiles(Path from, Path to) {
        try (Stream<Path> files = Files.list(from)) {
            Files.createDirectories(to);
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy checkpoint " + from + " to " + to, e);
        }
    }
}

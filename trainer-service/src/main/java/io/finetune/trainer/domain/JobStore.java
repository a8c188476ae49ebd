package io.finetune.trainer.domain;

import io.finetune.contracts.Json;
import io.finetune.contracts.TrainingJob;
import io.finetune.trainer.config.TrainerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Jobs on disk, so that they outlive the process: {@code <data-dir>/jobs/<jobId>/job.json} (the request) and
 * {@code status.json} (where it stands). The job's checkpoints and resumable training states live in the same
 * directory. Files are replaced atomically (written beside, flushed, renamed), so a crash leaves the old or the new
 * version, never a torn one.
 */
@ApplicationScoped
public class JobStore {
    private static final Logger LOG = Logger.getLogger(JobStore.class);
    static final String JOB_FILE = "job.json";
    static final String STATUS_FILE = "status.json";
    /** Present once a cancel was asked for: a request answered before a crash still stops the job after it. */
    static final String CANCEL_FILE = "cancel-requested";

    /** A job as it was persisted. */
    public record Persisted(TrainingJob job, JobStatus status) {
    }

    private final Path root;

    @Inject
    public JobStore(TrainerConfig config) {
        this(config.dataDir().resolve("jobs"));
    }

    public JobStore(Path root) {
        this.root = root;
    }

    public Path jobDir(String jobId) {
        return root.resolve(jobId);
    }

    public void save(TrainingJob job) {
        write(jobDir(job.jobId()).resolve(JOB_FILE), Json.write(job));
    }

    public void save(JobStatus status) {
        write(jobDir(status.jobId()).resolve(STATUS_FILE), Json.write(status));
    }

    /** Records that the job was asked to stop; returns once that is on disk. */
    public void saveCancelRequest(String jobId) {
        write(jobDir(jobId).resolve(CANCEL_FILE), Instant.now().toString());
    }

    public boolean cancelRequested(String jobId) {
        return Files.isRegularFile(jobDir(jobId).resolve(CANCEL_FILE));
    }

    /** The job as this trainer received it ({@code job.json}); empty when it never had it or cannot read it. */
    public Optional<TrainingJob> loadJob(String jobId) {
        Path file = jobDir(jobId).resolve(JOB_FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.read(Files.readString(file), TrainingJob.class));
        } catch (IOException | UncheckedIOException e) {
            LOG.warnf("cannot read %s: %s", file, e.getMessage());
            return Optional.empty();
        }
    }

    /** Every readable persisted job; an unreadable one is logged and skipped rather than blocking startup. */
    public List<Persisted> loadAll() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<Persisted> jobs = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
                Path job = dir.resolve(JOB_FILE);
                Path status = dir.resolve(STATUS_FILE);
                if (!Files.isRegularFile(job) || !Files.isRegularFile(status)) {
                    continue;
                }
                try {
                    jobs.add(new Persisted(Json.read(Files.readString(job), TrainingJob.class),
                            Json.read(Files.readString(status), JobStatus.class)));
                } catch (IOException | UncheckedIOException e) {
                    LOG.errorf("skipping job directory %s: %s", dir, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list jobs in " + root, e);
        }
        return jobs;
    }

    private static void write(Path file, String json) {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(temp, json, StandardCharsets.UTF_8);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}

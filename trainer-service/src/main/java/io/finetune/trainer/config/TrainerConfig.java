package io.finetune.trainer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import io.quarkus.runtime.configuration.MemorySize;

import java.nio.file.Path;
import java.util.Optional;
import java.time.Duration;

@ConfigMapping(prefix = "trainer")
public interface TrainerConfig {
    /**
     * Jobs (request, status, checkpoints, resumable training states) and unpacked bundled models live here. Must be
     * a persistent volume in production: jobs resume from it after a restart (docs/training.md).
     */
    @WithDefault("${java.io.tmpdir}/finetune/trainer")
    Path dataDir();

    /** Base model of jobs that name none: a bundled name, a directory or a Hugging Face id. */
    @WithDefault("distilbert-tiny")
    String defaultBaseModel();

    /** Progress events are published at most this often (every epoch end and checkpoint is published anyway). */
    @WithDefault("1000")
    long progressIntervalMillis();

    /**
     * Keep a checkpoint's directory in the job's folder after it is published. Off by default: once the broker has
     * acknowledged every chunk, the checkpoint lives on the checkpoints topic (kept forever) and in the evaluator's
     * store, and a third copy per checkpoint (268 MB for distilbert-base) would fill the trainer's volume job by job.
     */
    @WithDefault("false")
    boolean keepPublishedCheckpoints();

    /**
     * How many attempts of a job may crash the trainer (the process dies while the job runs: out of memory, a native
     * crash, a SIGKILL) before the job is FAILED instead of run again; the queue then moves on to the next job. A
     * shutdown that saves the job's state is not a crash. Attempts are counted in the job's status file before
     * training starts (docs/training.md, "Jobs that crash the trainer").
     */
    @WithDefault("3")
    int maxAttempts();

    /**
     * Memory a job's training may use on its device, outside the JVM's heap (libtorch allocates its own), e.g.
     * {@code 6G}. Unset: the container's memory limit (else the machine's memory) less the JVM's maximum heap on the
     * CPU, the card's memory on a GPU. Set it where that is not what the trainer has to itself: several services on
     * one machine without limits of their own (bin/local-stack). Jobs whose estimate exceeds it are refused
     * (docs/training.md, "Memory").
     */
    Optional<MemorySize> trainingMemory();

    /** How long a shutdown waits for the running job to save its state at the next step before forcing it. */
    @WithDefault("25s")
    Duration shutdownGrace();

    /**
     * Where jobs train: {@code auto} takes the first CUDA GPU PyTorch sees and else the CPU, {@code cpu} never uses a
     * GPU, {@code gpu} refuses to start without one (so a GPU node that lost its driver fails loudly instead of
     * training a hundred times slower).
     */
    @WithDefault("auto")
    DeviceChoice device();

    enum DeviceChoice { AUTO, CPU, GPU }
}

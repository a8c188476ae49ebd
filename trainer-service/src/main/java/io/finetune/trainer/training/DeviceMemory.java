package io.finetune.trainer.training;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;

import java.io.IOException;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How much memory a job can use on a device. libtorch allocates outside the JVM's heap, so the heap's limit says
 * nothing about it: on the CPU what counts is the container's memory limit (cgroup v2 {@code memory.max}, v1
 * {@code memory.limit_in_bytes}), else the machine's {@code MemTotal}, less the JVM's maximum heap, which lives within
 * the same limit; on a GPU, the card's memory as CUDA reports it.
 */
public interface DeviceMemory {
    /** Bytes a job may use on {@code device}, and where that number comes from; empty when it cannot be known. */
    Optional<Available> available(Device device);

    /** @param source "container memory limit (cgroup memory.max) 2.0 GiB less the JVM's maximum heap 512 MiB" */
    record Available(long bytes, String source) {
    }

    /** This machine's, read as the class comment says. */
    static DeviceMemory system() {
        return new SystemMemory(Path.of("/"), Runtime.getRuntime().maxMemory());
    }

    /** The same number for every device, from the trainer's configuration. */
    static DeviceMemory fixed(long bytes, String source) {
        return device -> Optional.of(new Available(bytes, source));
    }

    /** Reads the limits under {@code root} (the file system's root, or a copy of its files in a test). */
    record SystemMemory(Path root, long jvmMaxHeap) implements DeviceMemory {
        @Override
        public Optional<Available> available(Device device) {
            if (device.isGpu()) {
                return gpu(device);
            }
            return cpuLimit().map(limit -> new Available(limit.bytes() - jvmMaxHeap, limit.source() + " "
                    + MemoryEstimate.describe(limit.bytes()) + " less the JVM's maximum heap "
                    + MemoryEstimate.describe(jvmMaxHeap)));
        }

        private Optional<Available> cpuLimit() {
            Optional<Long> v2 = number(root.resolve("sys/fs/cgroup/memory.max"));
            if (v2.isPresent()) {
                return Optional.of(new Available(v2.get(), "container memory limit (cgroup memory.max)"));
            }
            // cgroup v1 writes a number near Long.MAX_VALUE for "no limit"
            Optional<Long> v1 = number(root.resolve("sys/fs/cgroup/memory/memory.limit_in_bytes"))
                    .filter(bytes -> bytes < (1L << 60));
            if (v1.isPresent()) {
                return Optional.of(new Available(v1.get(), "container memory limit (cgroup memory.limit_in_bytes)"));
            }
            return memTotal().map(bytes -> new Available(bytes, "the machine's memory (MemTotal)"));
        }

        /** The file's number; empty when absent, unreadable or "max" (no limit). */
        private static Optional<Long> number(Path file) {
            try {
                String text = Files.readString(file).trim();
                return text.matches("\\d+") ? Optional.of(Long.parseLong(text)) : Optional.empty();
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }

        private Optional<Long> memTotal() {
            try {
                return Files.readAllLines(root.resolve("proc/meminfo")).stream()
                        .filter(line -> line.startsWith("MemTotal:"))
                        .map(line -> Long.parseLong(line.replaceAll("\\D", "")) * 1024).findFirst();
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }

        /** The card's whole memory: the trainer runs one job at a time and is meant to have the GPU to itself. */
        private static Optional<Available> gpu(Device device) {
            try {
                MemoryUsage usage = CudaUtils.getGpuMemory(device);
                return usage.getMax() > 0 ? Optional.of(new Available(usage.getMax(), "memory of " + device
                        + " (CUDA)")) : Optional.empty();
            } catch (RuntimeException | UnsatisfiedLinkError e) { // no CUDA runtime DJL can query
                return Optional.empty();
            }
        }
    }
}

package io.finetune.trainer.training;

import ai.djl.Device;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Where the CPU's memory comes from: the container's limit before the machine's, less the JVM's heap. */
class DeviceMemoryTest {
    @TempDir
    Path root;

    private void write(String file, String text) throws Exception {
        Path path = root.resolve(file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, text);
    }

    @Test
    void theContainersLimitLessTheHeapIsWhatLibtorchHas() throws Exception {
        write("sys/fs/cgroup/memory.max", "4294967296\n");
        write("proc/meminfo", "MemTotal:       65536000 kB\n");
        DeviceMemory.Available available = new DeviceMemory.SystemMemory(root, 1L << 30).available(Device.cpu())
                .orElseThrow();
        assertThat(available.bytes()).isEqualTo(3L << 30);
        assertThat(available.source()).isEqualTo("container memory limit (cgroup memory.max) 4.0 GiB less the JVM's"
                + " maximum heap 1.0 GiB");
    }

    @Test
    void noContainerLimitMeansTheMachinesMemory() throws Exception {
        write("sys/fs/cgroup/memory.max", "max\n");
        write("sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n"); // cgroup v1's "no limit"
        write("proc/meminfo", "MemTotal:        8388608 kB\nMemFree:         1024 kB\n");
        DeviceMemory.Available available = new DeviceMemory.SystemMemory(root, 512L << 20).available(Device.cpu())
                .orElseThrow();
        assertThat(available.bytes()).isEqualTo((8L << 30) - (512L << 20));
        assertThat(available.source()).startsWith("the machine's memory (MemTotal) 8.0 GiB");
    }

    @Test
    void aCgroupV1LimitCounts() throws Exception {
        write("sys/fs/cgroup/memory/memory.limit_in_bytes", "2147483648\n");
        assertThat(new DeviceMemory.SystemMemory(root, 0).available(Device.cpu()).orElseThrow().bytes())
                .isEqualTo(2L << 30);
    }

    @Test
    void nothingReadableMeansUnknownAndTheJobIsNotChecked() {
        assertThat(new DeviceMemory.SystemMemory(root, 0).available(Device.cpu())).isEmpty();
    }
}

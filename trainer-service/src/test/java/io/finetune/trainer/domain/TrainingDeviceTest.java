package io.finetune.trainer.domain;

import ai.djl.Device;
import io.finetune.trainer.config.TrainerConfig.DeviceChoice;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.lang.management.MemoryUsage;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrainingDeviceTest {

    @Test
    void autoTakesTheFirstGpuWhenThereIsOneAndTheCpuOtherwise() {
        assertThat(TrainingDevice.resolve(DeviceChoice.AUTO, 0)).isEqualTo(Device.cpu());
        assertThat(TrainingDevice.resolve(DeviceChoice.AUTO, 2)).isEqualTo(Device.gpu(0));
        assertThat(TrainingDevice.resolve(DeviceChoice.CPU, 2)).isEqualTo(Device.cpu());
        assertThat(TrainingDevice.resolve(DeviceChoice.GPU, 1)).isEqualTo(Device.gpu(0));
    }

    @Test
    void gpuWithoutAGpuIsAStartUpErrorThatSaysWhatToCheck() {
        assertThatThrownBy(() -> TrainingDevice.resolve(DeviceChoice.GPU, 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("trainer.device=gpu, but PyTorch sees no CUDA GPU")
                .hasMessageContaining("trainer.device=auto");
    }

    @Test
    void labelsAreCpuOrGpuWithItsIndex() {
        assertThat(TrainingDevice.label(Device.cpu())).isEqualTo("cpu");
        assertThat(TrainingDevice.label(Device.gpu(1))).isEqualTo("gpu1");
    }

    /** The GPU path's exported names and values, fed the MemoryUsage that CudaUtils.getGpuMemory builds. */
    @Test
    void gpuMemoryIsExportedInBytesAndNaNWhenUnreadable() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        long total = 80L << 30;
        long used = 3L << 30;
        AtomicReference<MemoryUsage> reading = new AtomicReference<>(new MemoryUsage(-1, used, used, total));
        TrainingDevice.registerMemoryGauges(registry, reading::get);
        // Nothing but the gauges holds the supplier: a collection must not turn them into NaN.
        System.gc();

        String scrape = registry.scrape();
        assertThat(scrape).contains("finetune_trainer_gpu_memory_used_bytes " + (double) used)
                .contains("finetune_trainer_gpu_memory_total_bytes " + (double) total);

        reading.set(null);
        assertThat(registry.scrape()).contains("finetune_trainer_gpu_memory_used_bytes NaN");
    }
}

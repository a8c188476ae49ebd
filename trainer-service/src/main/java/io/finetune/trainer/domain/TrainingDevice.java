package io.finetune.trainer.domain;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.cuda.CudaUtils;
import io.finetune.distilbert.MklVendorCheck;
import io.finetune.distilbert.Torch;
import io.finetune.trainer.config.TrainerConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.lang.management.MemoryUsage;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The device every job of this replica trains on, chosen once at start-up from {@code trainer.device}, logged with
 * what decides its speed (the CUDA version on a GPU, PyTorch's thread counts) and exported as
 * {@code finetune_trainer_device_info{device="cpu"|"gpu0"} 1}; on a GPU also the GPU's memory in use and in total.
 */
@Startup // a "gpu" replica without a GPU fails at start-up, not at its first job
@ApplicationScoped
public class TrainingDevice {
    private static final Logger LOG = Logger.getLogger(TrainingDevice.class);

    private final Device device;

    public TrainingDevice(TrainerConfig config, MeterRegistry registry) {
        this.device = resolve(config.device(), Torch.engine().getGpuCount());
        LOG.info(describe());
        Gauge.builder("finetune.trainer.device.info", () -> 1).tag("device", label(device))
                .description("The device this replica trains on (always 1)").register(registry);
        if (device.isGpu()) {
            registerMemoryGauges(registry, this::gpuMemory);
        }
    }

    /** The device a {@code choice} gives on a machine where PyTorch sees {@code gpus} GPUs. */
    static Device resolve(TrainerConfig.DeviceChoice choice, int gpus) {
        return switch (choice) {
            case CPU -> Device.cpu();
            case AUTO -> gpus > 0 ? Device.gpu() : Device.cpu();
            case GPU -> {
                if (gpus == 0) {
                    throw new IllegalStateException("trainer.device=gpu, but PyTorch sees no CUDA GPU: check the"
                            + " NVIDIA driver and that the image carries the CUDA build of PyTorch (docs/deployment.md),"
                            + " or set trainer.device=auto to fall back to the CPU");
                }
                yield Device.gpu();
            }
        };
    }

    /** {@code cpu} or {@code gpu<id>}, the value of the {@code device} label. */
    static String label(Device device) {
        return device.isGpu() ? "gpu" + device.getDeviceId() : "cpu";
    }

    /**
     * Used and total bytes from {@code cudaMemGetInfo}: used counts every process on the GPU, PyTorch's cache
     * included, which is what decides whether a bigger batch still fits.
     */
    static void registerMemoryGauges(MeterRegistry registry, Supplier<MemoryUsage> memory) {
        gauge(registry, "finetune.trainer.gpu.memory.used", "GPU memory in use (all processes)", memory,
                MemoryUsage::getUsed);
        gauge(registry, "finetune.trainer.gpu.memory.total", "GPU memory in total", memory, MemoryUsage::getMax);
    }

    private static void gauge(MeterRegistry registry, String name, String description, Supplier<MemoryUsage> memory,
                              ToDoubleFunction<MemoryUsage> field) {
        // Held strongly: Micrometer keeps a gauge's object weakly, and nothing else holds this supplier (a method
        // reference made for the call), so a garbage collection would leave the gauge reading NaN for good.
        Gauge.builder(name, memory, m -> {
            MemoryUsage usage = m.get();
            return usage == null ? Double.NaN : field.applyAsDouble(usage);
        }).strongReference(true).baseUnit(BaseUnits.BYTES).description(description).register(registry);
    }

    /**
     * Null (exported as NaN) when DJL cannot load the CUDA runtime library by its plain name, as in images that only
     * carry PyTorch's own renamed copy of it.
     */
    private MemoryUsage gpuMemory() {
        try {
            return CudaUtils.getGpuMemory(device);
        } catch (RuntimeException e) {
            LOG.debugf(e, "GPU memory of %s not readable", device);
            return null;
        }
    }

    private String describe() {
        String where = "CPU";
        if (device.isGpu()) {
            where = device + (CudaUtils.hasCuda() ? ", CUDA " + CudaUtils.getCudaVersionString()
                    : ", CUDA runtime not loadable by DJL's CudaUtils: GPU memory gauges read NaN");
        }
        return "jobs train on the " + where + "; PyTorch uses " + JniUtils.getNumThreads() + " intra-op and "
                + JniUtils.getNumInteropThreads() + " inter-op threads (ai.djl.pytorch.num_threads="
                + System.getProperty("ai.djl.pytorch.num_threads", "unset") + ", ai.djl.pytorch.num_interop_threads="
                + System.getProperty("ai.djl.pytorch.num_interop_threads", "unset") + "); MKL kernels: "
                + MklVendorCheck.outcome().description();
    }

    public Device device() {
        return device;
    }
}

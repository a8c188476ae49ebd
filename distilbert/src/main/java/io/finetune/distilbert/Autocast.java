package io.finetune.distilbert;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Mixed precision with libtorch's own autocast, as {@code torch.autocast(device, torch.bfloat16)} (or
 * {@code torch.float16}) gives it in Python: inside a {@link Scope}, linear layers and matrix products run in the
 * 16-bit type on copies of the float32 weights, while parameters, gradients and optimizer state stay float32.
 *
 * <p>DJL 0.36 has no bfloat16: asking its JNI for a bfloat16 tensor by type code ends the process. Autocast needs no
 * such request. Its switches are plain functions of libtorch ({@code at::autocast::set_autocast_enabled} and
 * {@code set_autocast_dtype}), called here through JNA on the thread that runs the forward pass; libtorch then makes
 * the bfloat16 tensors itself. What remains is to keep them away from the few DJL operations that pass the array's
 * type back into the JNI (softmax and log-softmax do), for which DJL reports bfloat16 as "unknown":
 * {@link #toFloat32(NDArray)} turns the attention scores and the logits back into float32 first. DJL's own
 * {@code toType} cannot do that on the training path, because its JNI casts under a no-grad guard and so cuts the
 * autograd graph.
 *
 * <p>The bfloat16 copies of the weights are cached for the scope and dropped when it closes, as Python's autocast
 * does on leaving its outermost context, so the next forward pass sees the optimizer's update.
 */
public final class Autocast {
    /** c10::DeviceType and c10::ScalarType codes, stable across libtorch versions. */
    private static final byte CPU = 0;
    private static final byte CUDA = 1;
    /** x86 CPU flags of a bfloat16 dot-product unit (AVX512_BF16; AMX tiles on Sapphire Rapids and later). */
    static final Set<String> CPU_BF16_FLAGS = Set.of("avx512_bf16", "amx_bf16");
    /** x86 CPU flags of float16 arithmetic (AVX512-FP16 from Sapphire Rapids; AMX-FP16 from Granite Rapids). */
    static final Set<String> CPU_FP16_FLAGS = Set.of("avx512_fp16", "amx_fp16");

    private static final ThreadLocal<Boolean> ACTIVE = ThreadLocal.withInitial(() -> false);

    private Autocast() {}

    /** A region of mixed precision on the calling thread; closing it turns autocast off again. */
    public static final class Scope implements AutoCloseable {
        private final byte deviceType;

        private Scope(byte deviceType) {
            this.deviceType = deviceType;
        }

        @Override
        public void close() {
            if (deviceType < 0) {
                return;
            }
            Native.setEnabled.invokeVoid(new Object[] {deviceType, (byte) 0});
            Native.clearCache.invokeVoid(new Object[0]);
            ACTIVE.set(false);
        }
    }

    /**
     * Turns on mixed precision for {@code device} on this thread until the scope closes; for {@link Precision#FP32}
     * the scope does nothing. libtorch computes either 16-bit type on any CPU, emulating it where the hardware has
     * none (correct, but slower than float32): whoever picks the precision for a user checks
     * {@link #unsupportedReason} first, as the trainer does before it accepts a job.
     */
    public static Scope enter(Precision precision, Device device) {
        if (precision == Precision.FP32) {
            return new Scope((byte) -1);
        }
        if (ACTIVE.get()) {
            throw new IllegalStateException("autocast is already on for this thread");
        }
        Torch.engine(); // libtorch must be loaded before its functions are looked up
        byte type = device.isGpu() ? CUDA : CPU;
        Native.setDtype.invokeVoid(new Object[] {type, precision.scalarType});
        // A C++ bool argument: JNA passes a Java boolean as a 32-bit -1, which libtorch does not read as true.
        Native.setEnabled.invokeVoid(new Object[] {type, (byte) 1});
        ACTIVE.set(true);
        return new Scope(type);
    }

    /** Whether this thread is inside a mixed-precision scope. */
    public static boolean active() {
        return ACTIVE.get();
    }

    /**
     * {@code x} as float32, keeping its autograd history: adding a float32 zero of shape [1] promotes a 16-bit
     * tensor (a dimensioned operand takes part in type promotion, a 0-dim one would not). Outside a scope, {@code x}
     * is float32 already and comes back unchanged.
     */
    static NDArray toFloat32(NDArray x) {
        return active() ? x.add(x.getManager().zeros(new Shape(1))) : x;
    }

    /**
     * Why {@code precision} should not run on {@code device}: its 16-bit type has no arithmetic units on this CPU,
     * so it would be emulated, slower than float32. Empty when it can run (float32 always; GPUs: libtorch itself
     * refuses a type the GPU lacks).
     */
    public static Optional<String> unsupportedReason(Precision precision, Device device) {
        return unsupportedReason(precision, device, cpuFlags(), cpuModel());
    }

    static Optional<String> unsupportedReason(Precision precision, Device device, List<String> flags, String cpu) {
        if (precision == Precision.FP32 || device.isGpu()) {
            return Optional.empty(); // GPUs: libtorch itself refuses bfloat16 where the GPU lacks it
        }
        Set<String> units = precision == Precision.BF16 ? CPU_BF16_FLAGS : CPU_FP16_FLAGS;
        if (flags.stream().anyMatch(units::contains)) {
            return Optional.empty();
        }
        // Without these units libtorch would still run the 16-bit type, emulated and slower than float32: no point.
        String type = precision == Precision.BF16 ? "bfloat16" : "float16";
        String instead = precision == Precision.FP16 && flags.stream().anyMatch(CPU_BF16_FLAGS::contains)
                ? "use bf16 (this CPU has bfloat16 units) or float32" : "use float32";
        return Optional.of(precision.flag() + " needs a CPU with " + type + " arithmetic (flag "
                + String.join(" or ", units.stream().sorted().toList()) + "); this CPU (" + cpu + ") has "
                + (flags.isEmpty() ? "no readable flags" : "neither") + ": " + instead + ", or a GPU");
    }

    /** The CPU's feature flags from /proc/cpuinfo; empty where that file does not exist (not Linux). */
    static List<String> cpuFlags() {
        return cpuInfo("flags").map(line -> Arrays.asList(line.split("\\s+"))).orElse(List.of());
    }

    /** The CPU model as /proc/cpuinfo names it, for messages and benchmark output. */
    public static String cpuModel() {
        return cpuInfo("model name").orElse(System.getProperty("os.arch"));
    }

    private static Optional<String> cpuInfo(String key) {
        try {
            Path info = Path.of("/proc/cpuinfo");
            if (!Files.isReadable(info)) {
                return Optional.empty();
            }
            try (var lines = Files.lines(info)) {
                return lines.filter(l -> l.toLowerCase(Locale.ROOT).startsWith(key))
                        .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst();
            }
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** libtorch's autocast switches, looked up once libtorch is loaded. */
    private static final class Native {
        private static final NativeLibrary TORCH = NativeLibrary.getInstance("torch_cpu");
        static final Function setEnabled = TORCH.getFunction("_ZN2at8autocast20set_autocast_enabledEN3c1010DeviceTypeEb");
        static final Function setDtype =
                TORCH.getFunction("_ZN2at8autocast18set_autocast_dtypeEN3c1010DeviceTypeENS1_10ScalarTypeE");
        static final Function clearCache = TORCH.getFunction("_ZN2at8autocast11clear_cacheEv");
    }
}

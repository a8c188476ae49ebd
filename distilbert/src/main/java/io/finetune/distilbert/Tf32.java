package io.finetune.distilbert;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

import java.util.Optional;

/**
 * TensorFloat-32 matrix products on NVIDIA GPUs of the Ampere generation and newer: float32 inputs rounded to a
 * 10-bit mantissa inside the tensor cores, float32 accumulation, several times float32's rate. Hugging Face's
 * {@code tf32=True} sets PyTorch's {@code torch.backends.cuda.matmul.allow_tf32} and
 * {@code torch.backends.cudnn.allow_tf32}; these are the same two switches of libtorch's global context
 * ({@code at::Context::setAllowTF32CuBLAS} and {@code setAllowTF32CuDNN}), called through JNA because DJL has no
 * API for them. They are process-wide, as in PyTorch.
 */
public final class Tf32 {
    /** Ampere's compute capability: the first with TF32 tensor cores. */
    static final int MIN_COMPUTE_CAPABILITY = 80;

    private Tf32() {}

    /** Turns TF32 for cuBLAS matrix products and cuDNN on or off, for the whole process. */
    public static void set(boolean on) {
        Torch.engine(); // libtorch must be loaded before its functions are looked up
        Pointer context = Native.globalContext.invokePointer(new Object[0]);
        // C++ bool arguments: a byte, since JNA passes a Java boolean as a 32-bit -1.
        Native.setCuBlas.invokeVoid(new Object[] {context, (byte) (on ? 1 : 0)});
        Native.setCuDnn.invokeVoid(new Object[] {context, (byte) (on ? 1 : 0)});
    }

    /** Whether TF32 is on for cuBLAS matrix products (PyTorch's {@code torch.backends.cuda.matmul.allow_tf32}). */
    public static boolean enabled() {
        Torch.engine();
        Pointer context = Native.globalContext.invokePointer(new Object[0]);
        return (Native.cuBlas.invokeInt(new Object[] {context}) & 0xff) != 0;
    }

    /** Why {@code tf32} cannot be used on {@code device}, or empty when it can. */
    public static Optional<String> unsupportedReason(Device device) {
        if (!device.isGpu()) {
            return Optional.of("tf32 needs an NVIDIA GPU of the Ampere generation or newer; this job trains on the"
                    + " CPU, where float32 products have no TF32 mode (bf16 is the CPU's faster precision)");
        }
        String capability = CudaUtils.getComputeCapability(device.getDeviceId());
        return unsupportedReason(device, capability);
    }

    static Optional<String> unsupportedReason(Device device, String computeCapability) {
        int capability;
        try {
            capability = Integer.parseInt(computeCapability);
        } catch (NumberFormatException e) {
            return Optional.of("tf32: cannot read the compute capability of " + device + " ('" + computeCapability
                    + "')");
        }
        if (capability < MIN_COMPUTE_CAPABILITY) {
            return Optional.of("tf32 needs an NVIDIA GPU of the Ampere generation or newer (compute capability 8.0);"
                    + " " + device + " has " + capability / 10 + "." + capability % 10);
        }
        return Optional.empty();
    }

    /** libtorch's global context and its TF32 switches. */
    private static final class Native {
        private static final NativeLibrary TORCH = NativeLibrary.getInstance("torch_cpu");
        static final Function globalContext = TORCH.getFunction("_ZN2at13globalContextEv");
        static final Function setCuBlas = TORCH.getFunction("_ZN2at7Context18setAllowTF32CuBLASEb");
        static final Function setCuDnn = TORCH.getFunction("_ZN2at7Context17setAllowTF32CuDNNEb");
        static final Function cuBlas = TORCH.getFunction("_ZNK2at7Context15allowTF32CuBLASEv");
    }
}

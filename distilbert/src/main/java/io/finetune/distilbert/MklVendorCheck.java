package io.finetune.distilbert;

import com.sun.jna.Library;
import com.sun.jna.NativeLibrary;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Lets Intel MKL inside libtorch pick its kernels by what an AMD CPU can do instead of by its vendor string.
 *
 * <p>DJL's CPU libtorch links MKL statically, and every {@code float32} matrix product of the model goes to MKL's
 * {@code sgemm}. MKL asks {@code mkl_serv_intel_cpu_true()} before it dispatches; on AMD the answer is no, and it
 * uses its AVX2 kernels even on CPUs with AVX-512 (AMD EPYC Zen 4 and 5). On this project's 2-core EPYC build
 * machine a {@code [1024×768]·[768×3072]} product ran at 207 GFLOP/s that way and at 447 GFLOP/s with the AVX-512
 * kernels, against 253 GFLOP/s for OpenBLAS, which PyTorch eager uses there.
 *
 * <p>{@code libfinetune_mkl_vendor.so} (from {@code src/main/c}, built by this module's pom.xml and packed into its
 * jar) defines that one function to return 1. Loaded into the process's global symbol scope before libtorch, it is
 * the definition libtorch's calls bind to, and MKL then chooses among its kernels by the CPU's feature flags, exactly
 * as on Intel: a CPU without AVX-512 still gets AVX2. This has to happen before libtorch's first matrix product,
 * which is why {@link Torch#engine()} is the project's way into DJL's engine. Results differ from the AVX2 kernels'
 * in rounding only (summation order); the parity tests hold either way.
 *
 * <p>{@code FINETUNE_MKL_VENDOR_CHECK=keep} (or {@code -Dfinetune.mkl.vendor-check=keep}) leaves MKL's own check.
 */
public final class MklVendorCheck {

    /** What {@link #answerBeforeTorchLoads()} did, in words for logs and benchmark output. */
    public enum Outcome {
        ANSWERED("AMD CPU: MKL chooses its kernels by CPU features (its vendor check is answered)"),
        NOT_AMD("not an AMD CPU: MKL's own vendor check applies"),
        NOT_LINUX_X86_64("not Linux on x86-64: MKL's own vendor check applies"),
        KEPT("MKL's own vendor check kept (FINETUNE_MKL_VENDOR_CHECK=keep)"),
        NO_LIBRARY("libfinetune_mkl_vendor.so is not in the distilbert jar (built without a C compiler):"
                + " MKL uses its AVX2 kernels on this AMD CPU"),
        TOO_LATE("libtorch was loaded before the vendor check could be answered: MKL uses its AVX2 kernels"),
        FAILED("loading libfinetune_mkl_vendor.so failed: MKL uses its AVX2 kernels");

        private final String description;

        Outcome(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    static final String LIBRARY_RESOURCE = "/native/linux-x86_64/libfinetune_mkl_vendor.so";
    static final String PROPERTY = "finetune.mkl.vendor-check";
    static final String ENVIRONMENT = "FINETUNE_MKL_VENDOR_CHECK";
    private static final int RTLD_NOW = 0x2;
    private static final int RTLD_GLOBAL = 0x100;
    private static final System.Logger LOG = System.getLogger(MklVendorCheck.class.getName());

    private static Outcome outcome;
    @SuppressWarnings("unused") // held so the library is never unloaded
    private static NativeLibrary library;

    private MklVendorCheck() {}

    /** Answers MKL's vendor check where that helps; safe to call any number of times, acts only the first time. */
    public static synchronized Outcome answerBeforeTorchLoads() {
        if (outcome == null) {
            outcome = answer();
            System.Logger.Level level = switch (outcome) {
                case ANSWERED, KEPT -> System.Logger.Level.INFO;
                case NOT_AMD, NOT_LINUX_X86_64 -> System.Logger.Level.DEBUG;
                case NO_LIBRARY, TOO_LATE, FAILED -> System.Logger.Level.WARNING;
            };
            LOG.log(level, "MKL kernels: " + outcome.description());
        }
        return outcome;
    }

    /** The outcome so far; {@code null} before the engine was first asked for. */
    public static synchronized Outcome outcome() {
        return outcome;
    }

    private static Outcome answer() {
        Optional<Outcome> without = reasonNotToLoad(
                Optional.ofNullable(System.getProperty(PROPERTY)).orElse(System.getenv(ENVIRONMENT)),
                System.getProperty("os.name", ""), System.getProperty("os.arch", ""), cpuVendor().orElse(""),
                torchLoaded());
        return without.orElseGet(MklVendorCheck::loadLibrary);
    }

    /** Why the library is not loaded, if it is not: the switch, the platform, the vendor, or libtorch already there. */
    static Optional<Outcome> reasonNotToLoad(String setting, String os, String arch, String vendor,
                                             boolean torchLoaded) {
        if ("keep".equalsIgnoreCase(setting)) {
            return Optional.of(Outcome.KEPT);
        }
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return Optional.of(Outcome.NOT_LINUX_X86_64);
        }
        if (!"AuthenticAMD".equals(vendor)) {
            return Optional.of(Outcome.NOT_AMD);
        }
        return torchLoaded ? Optional.of(Outcome.TOO_LATE) : Optional.empty();
    }

    private static Outcome loadLibrary() {
        try (InputStream in = MklVendorCheck.class.getResourceAsStream(LIBRARY_RESOURCE)) {
            if (in == null) {
                return Outcome.NO_LIBRARY;
            }
            Path file = Files.createTempFile("finetune-mkl-vendor", ".so");
            try {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                library = NativeLibrary.getInstance(file.toString(),
                        Map.of(Library.OPTION_OPEN_FLAGS, RTLD_NOW | RTLD_GLOBAL));
            } finally {
                Files.deleteIfExists(file); // the mapping outlives the file
            }
            return Outcome.ANSWERED;
        } catch (IOException | UnsatisfiedLinkError e) {
            LOG.log(System.Logger.Level.WARNING, "Cannot load the MKL vendor library", e);
            return Outcome.FAILED;
        }
    }

    /** The {@code vendor_id} of the first CPU in /proc/cpuinfo. */
    static Optional<String> cpuVendor() {
        try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("vendor_id")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim());
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
    }

    /** Whether libtorch is already mapped into this process (DJL loads it on the first use of its engine). */
    static boolean torchLoaded() {
        try {
            return Files.readString(Path.of("/proc/self/maps")).contains("libtorch_cpu.so");
        } catch (IOException e) {
            return false;
        }
    }
}

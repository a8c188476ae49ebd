package io.finetune.distilbert;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class MklVendorCheckTest {

    @Test
    void theBuildPacksTheVendorLibraryForLinuxX86() {
        assumeTrue(System.getProperty("os.name").startsWith("Linux") && System.getProperty("os.arch").equals("amd64"),
                "the library is built for Linux x86-64 only");
        assertThat(MklVendorCheck.class.getResource(MklVendorCheck.LIBRARY_RESOURCE)).isNotNull();
    }

    /**
     * On an AMD CPU the engine's first use answers MKL's vendor check: the definition libtorch's calls bind to, the
     * first one in the process's global scope, says "Intel". Every test class of this module reaches the engine
     * through {@link Torch#engine()}, so whichever runs first, the check is answered before libtorch loads.
     */
    @Test
    void onAmdTheVendorCheckIsAnsweredBeforeLibtorchLoads() throws Exception {
        assumeTrue("AuthenticAMD".equals(MklVendorCheck.cpuVendor().orElse("")), "only AMD CPUs need it");
        Torch.engine().newBaseManager().close();

        assertThat(MklVendorCheck.outcome()).isEqualTo(MklVendorCheck.Outcome.ANSWERED);
        assertThat(Files.readString(Path.of("/proc/self/maps"))).contains("finetune-mkl-vendor");
        Function answer = NativeLibrary.getProcess().getFunction("mkl_serv_intel_cpu_true");
        assertThat(answer.invokeInt(new Object[0])).isEqualTo(1);
    }

    @Test
    void theLibraryIsLoadedOnlyOnLinuxX86WithAnAmdCpuBeforeLibtorch() {
        assertThat(MklVendorCheck.reasonNotToLoad(null, "Linux", "amd64", "AuthenticAMD", false)).isEmpty();
        assertThat(MklVendorCheck.reasonNotToLoad("keep", "Linux", "amd64", "AuthenticAMD", false))
                .contains(MklVendorCheck.Outcome.KEPT);
        assertThat(MklVendorCheck.reasonNotToLoad(null, "Linux", "amd64", "GenuineIntel", false))
                .contains(MklVendorCheck.Outcome.NOT_AMD);
        assertThat(MklVendorCheck.reasonNotToLoad(null, "Mac OS X", "aarch64", "", false))
                .contains(MklVendorCheck.Outcome.NOT_LINUX_X86_64);
        assertThat(MklVendorCheck.reasonNotToLoad(null, "Linux", "amd64", "AuthenticAMD", true))
                .contains(MklVendorCheck.Outcome.TOO_LATE);
    }
}

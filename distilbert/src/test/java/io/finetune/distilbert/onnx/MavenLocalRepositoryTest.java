package io.finetune.distilbert.onnx;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class MavenLocalRepositoryTest {
    @TempDir
    Path tmp;

    @Test
    void listsTheJarsOfEveryVersionNewestFirst() throws Exception {
        for (String version : new String[] {"0.36.2", "1.11.0-beta19", "1.19.0-beta29", "1.19.0", "1.9.0-beta3"}) {
            Path dir = Files.createDirectories(tmp.resolve("dev/langchain4j/some-model/" + version));
            Files.writeString(dir.resolve("some-model-" + version + ".jar"), "jar");
        }
        Files.createDirectories(tmp.resolve("dev/langchain4j/some-model/2.0.0")); // only a .pom or a failed download

        assertThat(new MavenLocalRepository(tmp).jars("dev.langchain4j", "some-model"))
                .extracting(MavenLocalRepository.Jar::version)
                .containsExactly("1.19.0", "1.19.0-beta29", "1.11.0-beta19", "1.9.0-beta3", "0.36.2");
        assertThat(new MavenLocalRepository(tmp).newest("dev.langchain4j", "other")).isEmpty();
    }

    @Test
    void comparesQualifiersByTheirNumber() {
        assertThat(MavenLocalRepository.compareVersions("1.0-beta29", "1.0-beta3")).isPositive();
        assertThat(MavenLocalRepository.compareVersions("1.0", "1.0-beta29")).isPositive();
        assertThat(MavenLocalRepository.compareVersions("1.0.1", "1.0")).isPositive();
        assertThat(MavenLocalRepository.compareVersions("1.0-rc1", "1.0-beta9")).isPositive();
        assertThat(MavenLocalRepository.compareVersions("1.2.3", "1.2.3")).isZero();
    }
}

package io.finetune.local.replay;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageDefinitionTest {
    private static final Path REPO = Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();

    @Test
    void theFinalStagesEnvOfTheShippedDockerfileIsTheContainersBaseEnvironment() {
        ImageDefinition trainer = ImageDefinition.of(REPO, "trainer-service");

        assertThat(trainer.environment()).containsEntry("TRAINER_DATA_DIR", "/data")
                .containsEntry("PYTORCH_LIBRARY_PATH", "/opt/libtorch").containsEntry("JAVA_OPTS_APPEND", "");
        assertThat(trainer.environment().get("JAVA_OPTS")).startsWith("-XX:MaxRAMPercentage=")
                .contains("-Dai.djl.offline=true");
    }

    @Test
    void continuationLinesQuotesAndEarlierStagesAreReadAsDockerReadsThem() {
        ImageDefinition image = ImageDefinition.parse(String.join("\n",
                "FROM builder AS build",
                "ENV ONLY_IN_BUILD=1",
                "FROM runtime",
                "# a comment",
                "ENV A=1 \\",
                "    B=\"two words\" \\",
                "    C=",
                ImageDefinition.ENTRYPOINT), "Dockerfile");

        assertThat(image.environment()).containsOnlyKeys("A", "B", "C").containsEntry("B", "two words")
                .containsEntry("C", "");
    }

    @Test
    void anEntrypointTheReplayDoesNotKnowIsRefusedRatherThanGuessed() {
        assertThatThrownBy(() -> ImageDefinition.parse("FROM x\nENTRYPOINT [\"/app/run\"]\n", "Dockerfile"))
                .hasMessageContaining("the replay runs images whose entrypoint is");
    }
}

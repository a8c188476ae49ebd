package io.finetune.local;

import io.finetune.contracts.Topics;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** docker-compose.yml and k8s/ create the topics that Topics.java defines, with the same partitions and retention. */
class DeploymentTopicsTest {
    private final Path root = Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();

    @Test
    void composeCreatesEveryTopicAsDefined() throws Exception {
        String compose = Files.readString(root.resolve("docker-compose.yml"));
        for (Topics.Spec spec : Topics.all()) {
            String retention = retention(spec).equals("604800000") ? "\\$\\$week" : Pattern.quote(retention(spec));
            assertThat(compose).as(spec.name())
                    .containsPattern("create " + Pattern.quote(spec.name()) + " " + spec.partitions() + " " + retention);
        }
    }

    @Test
    void kubernetesTopicsMatchTheContracts() throws Exception {
        String topics = Files.readString(root.resolve("k8s/base/topics.yaml"));
        for (Topics.Spec spec : Topics.all()) {
            assertThat(topics).as(spec.name()).containsPattern("topicName: " + Pattern.quote(spec.name())
                    + "\\s+partitions: " + spec.partitions() + "\\s+replicas: \\d+\\s+config:\\s+retention.ms: "
                    + Pattern.quote(retention(spec)));
        }
    }

    private static String retention(Topics.Spec spec) {
        return spec.config().get("retention.ms");
    }
}

package io.finetune.kafka.local;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class LocalKafkaTest {
    @TempDir
    Path data;

    @Test
    void startsStopsAndRestartsOnTheSameStorage() throws Exception {
        try (LocalKafka kafka = LocalKafka.onFreePort(data)) {
            kafka.start();
            assertThat(kafka.isRunning()).isTrue();
            try (Socket ignored = new Socket("127.0.0.1", kafka.port())) {
                assertThat(ignored.isConnected()).isTrue();
            }
            String clusterMeta = java.nio.file.Files.readString(data.resolve("logs/meta.properties"));
            kafka.kill();
            assertThat(kafka.isRunning()).isFalse();
            kafka.start();
            assertThat(kafka.isRunning()).isTrue();
            assertThat(java.nio.file.Files.readString(data.resolve("logs/meta.properties"))).isEqualTo(clusterMeta);
        }
    }
}

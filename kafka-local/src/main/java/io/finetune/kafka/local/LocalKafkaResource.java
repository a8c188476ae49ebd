package io.finetune.kafka.local;

import io.finetune.contracts.Directories;
import io.finetune.contracts.TopicAdmin;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starts a real single-node Kafka broker for a service's {@code @QuarkusTest}s and points the service at it, with
 * every pipeline topic created. One broker per test JVM; Quarkus stops it after the last test.
 */
public class LocalKafkaResource implements QuarkusTestResourceLifecycleManager {
    private LocalKafka kafka;
    private Path dataDir;

    @Override
    public Map<String, String> start() {
        try {
            dataDir = Files.createTempDirectory("kafka-test-");
            kafka = LocalKafka.onFreePort(dataDir).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TopicAdmin.ensureTopics(Map.of("bootstrap.servers", kafka.bootstrapServers()), (short) 1);
        return Map.of("kafka.bootstrap.servers", kafka.bootstrapServers());
    }

    @Override
    public void stop() {
        if (kafka != null) {
            kafka.stop();
        }
        if (dataDir != null) {
            Directories.delete(dataDir); // a test run's broker data is of no use afterwards
        }
    }
}

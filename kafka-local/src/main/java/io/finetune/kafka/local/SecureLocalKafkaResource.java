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
 * Like {@link LocalKafkaResource}, but the broker is {@link LocalKafka#secured secured}: the service gets only the
 * SASL_SSL address and its SCRAM login and trust store as {@code kafka.*} configuration, as a deployment would give
 * them. A test class gets the {@link SecureAccess} in a field of that type, to build its own clients. Use it from a
 * test profile that disables the global test resources, so no plain broker starts next to it.
 */
public class SecureLocalKafkaResource implements QuarkusTestResourceLifecycleManager {
    /** The SCRAM user the service logs in as. */
    public static final String SERVICE_USER = "finetune-service";

    private LocalKafka kafka;
    private Path dataDir;
    private SecureAccess access;

    @Override
    public Map<String, String> start() {
        try {
            dataDir = Files.createTempDirectory("kafka-secure-test-");
            kafka = LocalKafka.secured(dataDir, Security.scram(SERVICE_USER)).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        access = kafka.access();
        TopicAdmin.ensureTopics(access.scramClient(), (short) 1);
        return access.serviceConfig();
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(access, new TestInjector.MatchesType(SecureAccess.class));
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

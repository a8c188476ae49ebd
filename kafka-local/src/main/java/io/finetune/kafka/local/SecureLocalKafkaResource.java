package io.finetune.kafka.local;

import io.finetune.contracts.Directories;
import io.finetune.contracts.KafkaAccess;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Like {@link LocalKafkaResource}, but the broker is {@link LocalKafka#secured secured}: the service gets only the
 * SASL_SSL address and its SCRAM login and trust store as {@code kafka.*} configuration, as a deployment would give
 * them. A test class gets the {@link SecureAccess} in a field of that type, to build its own clients. Use it from a
 * test profile that disables the global test resources, so no plain broker starts next to it.
 *
 * <p>With the init arg {@code service} (ingest, preprocess, trainer or evaluator) the broker authorizes as a secured
 * cluster does: every user of {@code contracts}' {@link KafkaAccess} exists with exactly its ACLs, and the service logs
 * in as its own user, so the test proves those ACLs are enough for it. {@link SecureAccess#scramClient()} is then the
 * service's login; {@code scramClient(KafkaAccess.PREPROCESS)} another service's, {@code adminClient()} a super
 * user's. Under the test profile the services join consumer groups named {@code <group>-test}; the init arg
 * {@code consumerChannel} names the incoming channel whose group is set back to the one KafkaAccess grants.
 * Without {@code service}: one SCRAM user, {@link #SERVICE_USER}, and no authorization.
 */
public class SecureLocalKafkaResource implements QuarkusTestResourceLifecycleManager {
    /** The SCRAM user the service logs in as when no service is named. */
    public static final String SERVICE_USER = "finetune-service";

    private LocalKafka kafka;
    private Path dataDir;
    private SecureAccess access;
    private String service;
    private String consumerChannel;

    @Override
    public void init(Map<String, String> initArgs) {
        service = initArgs.get("service");
        consumerChannel = initArgs.get("consumerChannel");
    }

    @Override
    public Map<String, String> start() {
        KafkaAccess.Grant grant = service == null ? null : KafkaAccess.forService(service);
        Security security;
        if (grant == null) {
            security = Security.scram(SERVICE_USER);
        } else {
            Security.Builder builder = Security.builder().authorization().scramUser(grant.user());
            KafkaAccess.all().stream().map(KafkaAccess.Grant::user).filter(u -> !u.equals(grant.user()))
                    .forEach(builder::scramUser);
            security = builder.build();
        }
        try {
            dataDir = Files.createTempDirectory("kafka-secure-test-");
            kafka = LocalKafka.secured(dataDir, security).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        access = kafka.access();
        kafka.ensureTopics();
        Map<String, String> config = new HashMap<>(access.serviceConfig());
        if (grant != null) {
            KafkaAccess.all().forEach(g -> kafka.grant(g.bindings(KafkaAccess.scramPrincipal(g.user()))));
            if (consumerChannel != null) {
                String group = grant.groups().iterator().next();
                String key = "mp.messaging.incoming." + consumerChannel + ".group.id";
                config.put(key, group);
                config.put("%test." + key, group);
            }
        }
        return config;
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

package io.finetune.local.replay;

import io.finetune.kafka.local.LocalKafka;
import io.finetune.kafka.local.SecureAccess;
import io.finetune.kafka.local.Security;
import io.finetune.kafka.local.TlsMaterial;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A local broker configured like a {@link BrokerSpec}, and what the cluster's operator would have made beside it:
 * the Secrets holding its CA and its users' logins, named the way Strimzi names them, and the topics.
 */
final class LocalCluster implements AutoCloseable {
    private final BrokerSpec spec;
    private final LocalKafka kafka;
    private final Map<String, String> addresses = new LinkedHashMap<>();
    private final Map<String, Map<String, byte[]>> secrets = new HashMap<>();
    private Map<String, Object> admin;

    private LocalCluster(BrokerSpec spec, LocalKafka kafka) {
        this.spec = spec;
        this.kafka = kafka;
    }

    static LocalCluster start(BrokerSpec spec, Path dir) {
        boolean secured = spec.listeners().stream().anyMatch(l -> l.login() != BrokerSpec.Login.NONE);
        List<BrokerSpec.User> scramUsers = spec.users().stream()
                .filter(u -> u.login() == BrokerSpec.Login.SCRAM_SHA_512).toList();
        if (secured && scramUsers.size() > 1) {
            throw new IllegalArgumentException(spec.name() + " has " + scramUsers.size() + " SCRAM users; the local "
                    + "broker makes one");
        }
        LocalKafka kafka = secured
                ? LocalKafka.secured(dir, Security.scram(scramUsers.isEmpty() ? "replay" : scramUsers.get(0).name()))
                : LocalKafka.onFreePort(dir);
        LocalCluster cluster = new LocalCluster(spec, kafka);
        try {
            kafka.start();
            cluster.wire(secured);
            cluster.createTopics();
            return cluster;
        } catch (RuntimeException e) {
            kafka.stop();
            throw e;
        }
    }

    private void wire(boolean secured) {
        if (!secured) {
            admin = new HashMap<>(Map.of("bootstrap.servers", kafka.bootstrapServers()));
            spec.listeners().forEach(l -> l.addresses().forEach(a -> addresses.put(a, kafka.bootstrapServers())));
            return;
        }
        SecureAccess access = kafka.access();
        for (BrokerSpec.Listener listener : spec.listeners()) {
            String local = switch (listener.login()) {
                case SCRAM_SHA_512 -> access.saslSslServers();
                case TLS_CERTIFICATE -> access.mtlsServers();
                case NONE -> throw new IllegalArgumentException("listener " + listener.name() + " of " + spec.name()
                        + " lets clients in without a login beside secured listeners; the local broker cannot "
                        + "replay that");
            };
            listener.addresses().forEach(a -> addresses.put(a, local));
        }
        TlsMaterial tls = access.tls();
        // Strimzi keeps the cluster CA for clients in <cluster>-cluster-ca-cert (ca.p12 and its password).
        secrets.put(spec.name() + "-cluster-ca-cert", Map.of("ca.p12", read(tls.truststore()),
                "ca.password", bytes(tls.password())));
        for (BrokerSpec.User user : spec.users()) {
            switch (user.login()) {
                case SCRAM_SHA_512 -> {
                    String jaas = access.scramClient().get("sasl.jaas.config").toString();
                    secrets.put(user.name(), Map.of("password", bytes(access.security().scramPassword()),
                            "sasl.jaas.config", bytes(jaas)));
                }
                case TLS_CERTIFICATE -> secrets.put(user.name(), Map.of("user.p12", read(tls.clientKeystore()),
                        "user.password", bytes(tls.password())));
                case NONE -> { }
            }
        }
        admin = spec.listeners().stream().anyMatch(l -> l.login() == BrokerSpec.Login.SCRAM_SHA_512)
                ? access.scramClient() : access.mtlsClient();
    }

    private void createTopics() {
        Properties props = new Properties();
        props.putAll(admin);
        try (Admin client = Admin.create(props)) {
            client.createTopics(spec.topics().stream()
                    .map(t -> new NewTopic(t.name(), t.partitions(), (short) 1).configs(t.config())).toList())
                    .all().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the topics of " + spec.name() + ": " + e.getMessage(), e);
        }
    }

    /** The host:port names clients of the deployment use, and the local addresses that stand for them. */
    Map<String, String> addresses() {
        return Map.copyOf(addresses);
    }

    /** A Secret the operator made: the cluster CA, or a user's login. */
    Optional<Map<String, byte[]>> secret(String name) {
        return Optional.ofNullable(secrets.get(name));
    }

    /** Client settings that may do anything (topics, reading results). */
    Map<String, Object> adminClient() {
        return Map.copyOf(admin);
    }

    @Override
    public void close() {
        kafka.stop();
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}

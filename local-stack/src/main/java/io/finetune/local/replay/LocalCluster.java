package io.finetune.local.replay;

import io.finetune.contracts.KafkaAccess;
import io.finetune.kafka.local.LocalKafka;
import io.finetune.kafka.local.SecureAccess;
import io.finetune.kafka.local.Security;
import io.finetune.kafka.local.TlsMaterial;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A local broker configured like a {@link BrokerSpec}, and what the cluster's operator would have made beside it:
 * the Secrets holding its CA and its users' logins, named the way Strimzi names them, each user's ACLs (enforced
 * when the spec turns authorization on), and the topics.
 */
final class LocalCluster implements AutoCloseable {
    private final BrokerSpec spec;
    private final LocalKafka kafka;
    private final Map<String, String> addresses = new LinkedHashMap<>();
    private final Map<String, Map<String, byte[]>> secrets = new HashMap<>();
    /** Client settings per user, for acting as that user (a person pushing records with kcat, say). */
    private final Map<String, Map<String, Object>> clients = new HashMap<>();
    private Map<String, Object> admin;

    private final boolean secured;

    private LocalCluster(BrokerSpec spec, LocalKafka kafka, boolean secured) {
        this.spec = spec;
        this.kafka = kafka;
        this.secured = secured;
    }

    static LocalCluster start(BrokerSpec spec, Path dir) {
        boolean secured = spec.listeners().stream().anyMatch(l -> l.login() != BrokerSpec.Login.NONE);
        LocalKafka kafka = secured ? LocalKafka.secured(dir, security(spec)) : LocalKafka.onFreePort(dir);
        LocalCluster cluster = new LocalCluster(spec, kafka, secured);
        try {
            kafka.start();
            if (secured) {
                cluster.wireSecured();
            } else {
                cluster.admin = new HashMap<>(Map.of("bootstrap.servers", kafka.bootstrapServers()));
                spec.listeners().forEach(l -> l.addresses().forEach(a ->
                        cluster.addresses.put(a, kafka.bootstrapServers())));
            }
            cluster.createTopics();
            return cluster;
        } catch (RuntimeException e) {
            kafka.stop();
            throw e;
        }
    }

    /** The users the spec names, its authorization, and a listener of each kind its listeners are. */
    private static Security security(BrokerSpec spec) {
        Security.Builder security = Security.builder();
        for (BrokerSpec.User user : spec.users()) {
            switch (user.login()) {
                case SCRAM_SHA_512 -> security.scramUser(user.name());
                case TLS_CERTIFICATE -> security.tlsUser(user.name());
                case NONE -> { }
            }
        }
        if (spec.authorization().enabled()) {
            security.authorization();
        }
        Set<Security.Listener> listeners = EnumSet.noneOf(Security.Listener.class);
        for (BrokerSpec.Listener listener : spec.listeners()) {
            if (listener.login() == BrokerSpec.Login.SCRAM_SHA_512) {
                listeners.add(Security.Listener.SASL_SSL);
            } else if (listener.login() == BrokerSpec.Login.NONE) {
                if (listener.tls()) {
                    throw new IllegalArgumentException("listener " + listener.name() + " of " + spec.name()
                            + " is TLS without a login: the local broker has no such listener");
                }
                listeners.add(Security.Listener.PLAINTEXT);
            }
            // Mutual TLS: the local broker always has that listener.
        }
        return security.listeners(listeners).build();
    }

    private void wireSecured() {
        SecureAccess access = kafka.access();
        for (BrokerSpec.Listener listener : spec.listeners()) {
            String local = switch (listener.login()) {
                case SCRAM_SHA_512 -> access.saslSslServers();
                case TLS_CERTIFICATE -> access.mtlsServers();
                case NONE -> access.plaintextServers();
            };
            listener.addresses().forEach(a -> addresses.put(a, local));
        }
        TlsMaterial tls = access.tls();
        // Strimzi keeps the cluster CA for clients in <cluster>-cluster-ca-cert (ca.p12 and its password), and each
        // KafkaUser's login in a Secret of the user's name.
        secrets.put(spec.name() + "-cluster-ca-cert", Map.of("ca.p12", read(tls.truststore()),
                "ca.password", bytes(tls.password())));
        List<AclBinding> acls = new ArrayList<>();
        for (BrokerSpec.User user : spec.users()) {
            switch (user.login()) {
                case SCRAM_SHA_512 -> {
                    secrets.put(user.name(), Map.of("password", bytes(access.security().password(user.name())),
                            "sasl.jaas.config", bytes(access.scramClient(user.name()).get("sasl.jaas.config")
                                    .toString())));
                    clients.put(user.name(), access.scramClient(user.name()));
                }
                case TLS_CERTIFICATE -> {
                    secrets.put(user.name(), Map.of("user.p12", read(tls.clientKeystore(user.name())),
                            "user.password", bytes(tls.password())));
                    clients.put(user.name(), access.mtlsClient(user.name()));
                }
                case NONE -> { }
            }
            String principal = user.login() == BrokerSpec.Login.TLS_CERTIFICATE
                    ? KafkaAccess.tlsPrincipal(user.name()) : KafkaAccess.scramPrincipal(user.name());
            user.acls().forEach(rule -> acls.addAll(bindings(principal, rule)));
        }
        if (spec.authorization().enabled() && !acls.isEmpty()) {
            kafka.grant(acls);
        }
        admin = access.adminClient();
    }

    /** A Strimzi ACL rule as Kafka's bindings: one per operation. */
    static List<AclBinding> bindings(String principal, BrokerSpec.AclRule rule) {
        ResourceType type = switch (rule.resourceType()) {
            case "topic" -> ResourceType.TOPIC;
            case "group" -> ResourceType.GROUP;
            case "cluster" -> ResourceType.CLUSTER;
            case "transactionalId" -> ResourceType.TRANSACTIONAL_ID;
            default -> throw new IllegalArgumentException("ACL resource type " + rule.resourceType()
                    + " is not one Strimzi knows");
        };
        String name = type == ResourceType.CLUSTER ? "kafka-cluster" : rule.resourceName();
        PatternType pattern = "prefix".equals(rule.patternType()) ? PatternType.PREFIXED : PatternType.LITERAL;
        return rule.operations().stream().map(operation -> {
            AclOperation op = AclOperation.fromString(operation.replaceAll("([a-z])([A-Z])", "$1_$2"));
            if (op == AclOperation.UNKNOWN || op == AclOperation.ANY) {
                throw new IllegalArgumentException("ACL operation " + operation + " is not one Kafka knows");
            }
            return new AclBinding(new ResourcePattern(type, name, pattern),
                    new AccessControlEntry(principal, rule.host(), op, AclPermissionType.ALLOW));
        }).toList();
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

    /** Client settings of one of the spec's users, on the listener its login is for. */
    Optional<Map<String, Object>> clientOf(String user) {
        return Optional.ofNullable(clients.get(user));
    }

    /** Client settings for a listener that lets anyone in, if the spec has one. */
    Optional<Map<String, Object>> plaintextClient() {
        if (spec.listeners().stream().noneMatch(l -> l.login() == BrokerSpec.Login.NONE)) {
            return Optional.empty();
        }
        return Optional.of(secured ? kafka.access().plaintextClient()
                : Map.of("bootstrap.servers", kafka.bootstrapServers()));
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

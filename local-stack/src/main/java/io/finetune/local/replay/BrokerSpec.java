package io.finetune.local.replay;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Kafka a deployment describes, as far as clients can tell: its listeners (the addresses clients dial, TLS,
 * how they log in), whether it authorizes, its users and their ACLs, and its topics. Read from Strimzi's
 * {@code Kafka}, {@code KafkaUser} and {@code KafkaTopic} resources, or from the compose file's kafka service.
 *
 * @param name the Strimzi cluster's name (its Secrets are named after it), or the compose service's
 */
public record BrokerSpec(String name, List<Listener> listeners, Authorization authorization, List<User> users,
                         List<Topic> topics) {
    public enum Login { NONE, SCRAM_SHA_512, TLS_CERTIFICATE }

    /** @param addresses the host:port names clients are configured with for this listener */
    public record Listener(String name, List<String> addresses, boolean tls, Login login) {
    }

    /** @param enabled whether the broker checks ACLs at all; {@code superUsers} skip them */
    public record Authorization(boolean enabled, List<String> superUsers) {
        static final Authorization NONE = new Authorization(false, List.of());
    }

    /** A user as Strimzi's user operator makes it: a login and, under authorization, its ACL rules. */
    public record User(String name, Login login, List<AclRule> acls) {
    }

    /**
     * One rule of a {@code KafkaUser}'s {@code spec.authorization.acls}, in Strimzi's words.
     *
     * @param resourceType topic, group, cluster or transactionalId
     * @param patternType  literal or prefix
     * @param operations   Read, Write, Describe, ...
     */
    public record AclRule(String resourceType, String resourceName, String patternType, List<String> operations,
                          String host) {
    }

    public record Topic(String name, int partitions, Map<String, String> config) {
    }

    /** The Strimzi cluster in a rendered overlay: exactly one {@code Kafka}, its users and its topics. */
    public static BrokerSpec fromKubernetes(Manifests manifests) {
        List<JsonNode> clusters = manifests.ofKind("Kafka");
        if (clusters.size() != 1) {
            throw new IllegalArgumentException("expected one Strimzi Kafka resource, found " + clusters.size());
        }
        JsonNode kafka = clusters.get(0);
        String cluster = kafka.path("metadata").path("name").asText();
        // Strimzi's bootstrap Service is <cluster>-kafka-bootstrap, with one port per listener.
        String bootstrap = cluster + "-kafka-bootstrap";
        List<Listener> listeners = new ArrayList<>();
        for (JsonNode listener : kafka.path("spec").path("kafka").path("listeners")) {
            if (!"internal".equals(listener.path("type").asText())) {
                throw new IllegalArgumentException("listener " + listener.path("name").asText() + " is of type "
                        + listener.path("type").asText() + ": the replay knows internal listeners only");
            }
            int port = listener.path("port").asInt();
            listeners.add(new Listener(listener.path("name").asText(),
                    List.of(bootstrap + ":" + port, bootstrap + "." + namespaceOf(kafka) + ".svc:" + port),
                    listener.path("tls").asBoolean(false), strimziLogin(listener.path("authentication"))));
        }
        JsonNode authorization = kafka.path("spec").path("kafka").path("authorization");
        Authorization authz = Authorization.NONE;
        if (!authorization.isMissingNode()) {
            if (!"simple".equals(authorization.path("type").asText())) {
                throw new IllegalArgumentException("authorization type " + authorization.path("type").asText()
                        + ": the replay knows 'simple' only");
            }
            List<String> superUsers = new ArrayList<>();
            authorization.path("superUsers").forEach(u -> superUsers.add(u.asText()));
            authz = new Authorization(true, List.copyOf(superUsers));
        }
        List<User> users = new ArrayList<>();
        for (JsonNode user : manifests.ofKind("KafkaUser")) {
            if (!cluster.equals(user.path("metadata").path("labels").path("strimzi.io/cluster").asText())) {
                continue;
            }
            List<AclRule> acls = new ArrayList<>();
            for (JsonNode acl : user.path("spec").path("authorization").path("acls")) {
                if (!"allow".equals(acl.path("type").asText("allow"))) {
                    throw new IllegalArgumentException("KafkaUser " + user.path("metadata").path("name").asText()
                            + " has a rule of type " + acl.path("type").asText() + ": the replay knows allow rules");
                }
                List<String> operations = new ArrayList<>();
                acl.path("operations").forEach(o -> operations.add(o.asText()));
                if (acl.has("operation")) {
                    operations.add(acl.path("operation").asText());
                }
                JsonNode resource = acl.path("resource");
                acls.add(new AclRule(resource.path("type").asText(), resource.path("name").asText("*"),
                        resource.path("patternType").asText("literal"), List.copyOf(operations),
                        acl.path("host").asText("*")));
            }
            users.add(new User(user.path("metadata").path("name").asText(),
                    strimziLogin(user.path("spec").path("authentication")), List.copyOf(acls)));
        }
        List<Topic> topics = new ArrayList<>();
        for (JsonNode topic : manifests.ofKind("KafkaTopic")) {
            Map<String, String> config = new LinkedHashMap<>();
            topic.path("spec").path("config").fields().forEachRemaining(e -> config.put(e.getKey(),
                    e.getValue().asText()));
            topics.add(new Topic(topic.path("spec").path("topicName").asText(
                    topic.path("metadata").path("name").asText()), topic.path("spec").path("partitions").asInt(1),
                    Map.copyOf(config)));
        }
        return new BrokerSpec(cluster, List.copyOf(listeners), authz, List.copyOf(users),
                List.copyOf(topics));
    }

    private static String namespaceOf(JsonNode resource) {
        return resource.path("metadata").path("namespace").asText("default");
    }

    private static Login strimziLogin(JsonNode authentication) {
        if (authentication.isMissingNode()) {
            return Login.NONE;
        }
        return switch (authentication.path("type").asText()) {
            case "scram-sha-512" -> Login.SCRAM_SHA_512;
            case "tls" -> Login.TLS_CERTIFICATE;
            default -> throw new IllegalArgumentException("authentication type " + authentication.path("type").asText()
                    + ": the replay knows scram-sha-512 and tls");
        };
    }

    private static final Pattern LISTENER = Pattern.compile("([A-Za-z_]+)://([^:,]*):(\\d+)");
    /** compose's {@code create NAME PARTITIONS RETENTION [CLEANUP_POLICY [MAX_COMPACTION_LAG]]}. */
    private static final Pattern CREATE = Pattern.compile(
            "(?m)^\\s*create\\s+(\\S+)\\s+(\\d+)\\s+(\\S+)(?:\\s+(\\S+))?(?:\\s+(\\S+))?\\s*$");

    /**
     * The compose file's {@code kafka} service (the apache/kafka image, configured through KAFKA_* variables) and the
     * topics its one-shot {@code kafka-topics} service creates ({@code create NAME PARTITIONS RETENTION [POLICY]}).
     */
    public static BrokerSpec fromCompose(JsonNode config) {
        JsonNode kafka = config.path("services").path("kafka");
        if (kafka.isMissingNode()) {
            throw new IllegalArgumentException("the compose file has no kafka service");
        }
        JsonNode env = kafka.path("environment");
        Map<String, String> protocols = new LinkedHashMap<>();
        for (String pair : env.path("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP").asText().split(",")) {
            String[] parts = pair.split(":");
            protocols.put(parts[0], parts[1]);
        }
        String controllers = env.path("KAFKA_CONTROLLER_LISTENER_NAMES").asText();
        List<Listener> listeners = new ArrayList<>();
        Matcher advertised = LISTENER.matcher(env.path("KAFKA_ADVERTISED_LISTENERS").asText());
        while (advertised.find()) {
            String name = advertised.group(1);
            if (name.equals(controllers)) {
                continue;
            }
            String protocol = protocols.getOrDefault(name, name);
            if (!"PLAINTEXT".equals(protocol)) {
                throw new IllegalArgumentException("compose listener " + name + " speaks " + protocol
                        + ": the replay knows PLAINTEXT compose listeners only");
            }
            listeners.add(new Listener(name, List.of(advertised.group(2) + ":" + advertised.group(3)), false,
                    Login.NONE));
        }
        List<Topic> topics = new ArrayList<>();
        String script = config.path("services").path("kafka-topics").path("command").path(0).asText();
        Matcher create = CREATE.matcher(script);
        while (create.find()) {
            Map<String, String> topicConfig = new LinkedHashMap<>();
            topicConfig.put("retention.ms", expand(create.group(3), script));
            if (create.group(4) != null) {
                topicConfig.put("cleanup.policy", create.group(4));
            }
            if (create.group(5) != null) {
                topicConfig.put("max.compaction.lag.ms", create.group(5));
            }
            topics.add(new Topic(create.group(1), Integer.parseInt(create.group(2)), Map.copyOf(topicConfig)));
        }
        return new BrokerSpec("kafka", List.copyOf(listeners), Authorization.NONE, List.of(),
                List.copyOf(topics));
    }

    /** {@code $$week} (compose's escaped {@code $week}) from the script's {@code week=...}. */
    private static String expand(String value, String script) {
        if (!value.startsWith("$")) {
            return value;
        }
        Matcher definition = Pattern.compile("(?m)^\\s*" + Pattern.quote(value.replaceFirst("^\\$+", ""))
                + "=(\\d+)\\s*$").matcher(script);
        if (!definition.find()) {
            throw new IllegalArgumentException("kafka-topics uses " + value + " but never sets it");
        }
        return definition.group(1);
    }
}

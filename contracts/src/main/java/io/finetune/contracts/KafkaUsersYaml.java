package io.finetune.contracts;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Writes the Strimzi {@code KafkaUser}s of the secured Kubernetes components from {@link KafkaAccess}: one user per
 * service and the raw-topic producer, each with {@code authorization: simple} and exactly the ACLs KafkaAccess
 * derives. The files are committed; {@code KafkaUsersYamlTest} fails when they differ from what this renders.
 * Regenerate with {@code java -cp contracts/target/classes:$(kafka-clients jar) io.finetune.contracts.KafkaUsersYaml .}
 * or, simpler, the test with {@code -Dkafka-users.write=true}.
 */
public final class KafkaUsersYaml {
    /** The component directory and the Strimzi authentication type of its users. */
    public enum Flavour {
        SCRAM("k8s/components/kafka-scram-tls/kafka-users.yaml", "scram-sha-512",
                "SCRAM-SHA-512 logins: Strimzi's user operator makes each password and a Secret of the user's name "
                        + "whose\n# sasl.jaas.config key that user's service reads as KAFKA_SASL_JAAS_CONFIG."),
        TLS("k8s/components/kafka-mtls/kafka-users.yaml", "tls",
                "Certificate logins: Strimzi's user operator issues each user a certificate (subject CN=<user>, "
                        + "principal\n# User:CN=<user>) and keeps it with its key in a Secret of the user's name "
                        + "(user.p12, user.password),\n# which that user's service mounts as its key store.");

        public final String path;
        final String authentication;
        final String comment;

        Flavour(String path, String authentication, String comment) {
            this.path = path;
            this.authentication = authentication;
            this.comment = comment;
        }
    }

    public static String render(Flavour flavour) {
        StringBuilder out = new StringBuilder();
        out.append("# GENERATED from contracts' KafkaAccess by KafkaUsersYaml: do not edit; change KafkaAccess and ")
                .append("regenerate\n# (docs/kafka-security.md). One Kafka user per service, finetune-raw-producer ")
                .append("for people pushing raw\n# records with kcat, finetune-inference-client for applications asking ")
                .append("for predictions. ").append(flavour.comment).append('\n')
                .append("# Least privilege: literal topic and group names, transactional ids literal or by the ")
                .append("serving loops'\n# prefix, nothing on the cluster.\n");
        for (KafkaAccess.Grant grant : KafkaAccess.all()) {
            out.append("---\n")
                    .append("apiVersion: kafka.strimzi.io/v1beta2\n")
                    .append("kind: KafkaUser\n")
                    .append("metadata:\n")
                    .append("  name: ").append(grant.user()).append('\n')
                    .append("  labels:\n")
                    .append("    strimzi.io/cluster: finetune\n");
            if (grant.service() != null) {
                out.append("  annotations:\n")
                        .append("    finetune.io/service: ").append(grant.service()).append('\n');
            }
            out.append("spec:\n")
                    .append("  authentication:\n")
                    .append("    type: ").append(flavour.authentication).append('\n')
                    .append("  authorization:\n")
                    .append("    type: simple\n")
                    .append("    acls:\n");
            grant.rules().forEach((resource, operations) -> out
                    .append("    - resource:\n")
                    .append("        type: ").append(strimzi(resource.resourceType())).append('\n')
                    .append("        name: ").append(resource.name()).append('\n')
                    .append("        patternType: ").append(strimzi(resource.patternType())).append('\n')
                    .append("      operations: [").append(operations.stream().map(KafkaUsersYaml::strimzi)
                            .collect(Collectors.joining(", "))).append("]\n")
                    .append("      host: \"*\"\n"));
        }
        return out.toString();
    }

    /** Strimzi's name of a resource type: topic, group, transactionalId. */
    static String strimzi(ResourceType type) {
        return switch (type) {
            case TOPIC -> "topic";
            case GROUP -> "group";
            case TRANSACTIONAL_ID -> "transactionalId";
            default -> throw new IllegalArgumentException("no KafkaUser ACL is given on a " + type);
        };
    }

    /** Strimzi's name of a pattern type: literal, prefix. */
    static String strimzi(PatternType type) {
        return switch (type) {
            case LITERAL -> "literal";
            case PREFIXED -> "prefix";
            default -> throw new IllegalArgumentException("no KafkaUser ACL is given by a " + type + " pattern");
        };
    }

    /** Strimzi's spelling of an operation: Read, Write, Describe. */
    static String strimzi(AclOperation operation) {
        String name = operation.name().toLowerCase(Locale.ROOT);
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }

    /** Writes both files under the repository root {@code args[0]} (default: the working directory). */
    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        for (Flavour flavour : List.of(Flavour.values())) {
            Files.writeString(root.resolve(flavour.path), render(flavour));
        }
    }

    private KafkaUsersYaml() {
    }
}

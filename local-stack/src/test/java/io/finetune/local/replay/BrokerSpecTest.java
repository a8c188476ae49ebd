package io.finetune.local.replay;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BrokerSpecTest {
    @Test
    void strimzisListenersUsersAndTopicsAreWhatTheLocalBrokerIsConfiguredWith() {
        BrokerSpec spec = BrokerSpec.fromKubernetes(Manifests.parse("""
                apiVersion: kafka.strimzi.io/v1beta2
                kind: Kafka
                metadata: {name: finetune, namespace: finetune}
                spec:
                  kafka:
                    listeners:
                    - {name: tls, port: 9093, type: internal, tls: true, authentication: {type: scram-sha-512}}
                    authorization: {type: simple, superUsers: [admin]}
                ---
                apiVersion: kafka.strimzi.io/v1beta2
                kind: KafkaUser
                metadata: {name: finetune-trainer, labels: {strimzi.io/cluster: finetune}}
                spec:
                  authentication: {type: scram-sha-512}
                  authorization:
                    type: simple
                    acls:
                    - resource: {type: topic, name: finetune.training.checkpoints, patternType: literal}
                      operations: [Write, Describe]
                ---
                apiVersion: kafka.strimzi.io/v1beta2
                kind: KafkaTopic
                metadata: {name: checkpoints, labels: {strimzi.io/cluster: finetune}}
                spec: {topicName: finetune.training.checkpoints, partitions: 3, config: {retention.ms: -1}}
                """));

        assertThat(spec.name()).isEqualTo("finetune");
        assertThat(spec.listeners()).singleElement().satisfies(l -> {
            assertThat(l.addresses()).contains("finetune-kafka-bootstrap:9093");
            assertThat(l.login()).isEqualTo(BrokerSpec.Login.SCRAM_SHA_512);
            assertThat(l.tls()).isTrue();
        });
        assertThat(spec.authorization()).isEqualTo(new BrokerSpec.Authorization(true, List.of("admin")));
        assertThat(spec.users()).singleElement().satisfies(u -> assertThat(u.acls()).containsExactly(
                new BrokerSpec.AclRule("topic", "finetune.training.checkpoints", "literal",
                        List.of("Write", "Describe"), "*")));
        assertThat(spec.topics()).containsExactly(new BrokerSpec.Topic("finetune.training.checkpoints", 3,
                java.util.Map.of("retention.ms", "-1")));
    }

    @Test
    void composesKafkaIsReadFromItsVariablesAndItsTopicsFromTheOneShotScript() {
        BrokerSpec spec = BrokerSpec.fromCompose(Manifests.parse("""
                services:
                  kafka:
                    environment:
                      KAFKA_LISTENERS: PLAINTEXT://:19092,EXTERNAL://:9092,CONTROLLER://:9093
                      KAFKA_ADVERTISED_LISTENERS: PLAINTEXT://kafka:19092,EXTERNAL://localhost:9092
                      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: PLAINTEXT:PLAINTEXT,EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT
                      KAFKA_CONTROLLER_LISTENER_NAMES: CONTROLLER
                  kafka-topics:
                    command:
                    - |
                      week=604800000
                      create finetune.ingest.raw 3 $$week
                      create finetune.ingest.datasets 1 -1 compact
                      create finetune.training.checkpoints 3 -1 compact 86400000
                """).single());

        assertThat(spec.listeners()).extracting(l -> l.addresses().get(0))
                .containsExactly("kafka:19092", "localhost:9092");
        assertThat(spec.topics()).containsExactly(
                new BrokerSpec.Topic("finetune.ingest.raw", 3, java.util.Map.of("retention.ms", "604800000")),
                new BrokerSpec.Topic("finetune.ingest.datasets", 1,
                        java.util.Map.of("retention.ms", "-1", "cleanup.policy", "compact")),
                new BrokerSpec.Topic("finetune.training.checkpoints", 3, java.util.Map.of("retention.ms", "-1",
                        "cleanup.policy", "compact", "max.compaction.lag.ms", "86400000")));
    }

    @Test
    void aListenerKindTheReplayCannotReproduceIsRefused() {
        assertThatThrownBy(() -> BrokerSpec.fromKubernetes(Manifests.parse("""
                kind: Kafka
                metadata: {name: finetune}
                spec: {kafka: {listeners: [{name: ext, port: 9094, type: loadbalancer, tls: true}]}}
                """))).hasMessageContaining("internal listeners only");
    }
}

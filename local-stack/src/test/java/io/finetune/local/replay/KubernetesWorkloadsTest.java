package io.finetune.local.replay;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KubernetesWorkloadsTest {
    private static final Path REPO = Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();

    private static final String CONFIG = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: config}
            data: {KAFKA_BOOTSTRAP_SERVERS: "kafka-bootstrap:9093", FROM_ENVFROM: "yes"}
            ---
            """;

    private static String deployment(String env, String volumes, String mounts) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: ingest-service}
                spec:
                  template:
                    spec:
                      containers:
                      - name: ingest-service
                        resources: {limits: {cpu: 1500m, memory: 1Gi}}
                        envFrom: [{configMapRef: {name: config}}]
                        env:
                %s
                        volumeMounts:
                %s
                      volumes:
                %s
                """.formatted(env, mounts, volumes);
    }

    @Test
    void referencesAreResolvedAsTheKubeletResolvesThem(@TempDir Path root) throws Exception {
        Manifests manifests = Manifests.parse(CONFIG + deployment("""
                        - {name: KAFKA_BOOTSTRAP_SERVERS, valueFrom: {configMapKeyRef: {name: config, key: KAFKA_BOOTSTRAP_SERVERS}}}
                        - {name: PASSWORD, valueFrom: {secretKeyRef: {name: login, key: password}}}
                        - {name: ABSENT, valueFrom: {secretKeyRef: {name: nobody, key: x, optional: true}}}
                        - {name: CPUS, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: "1"}}}
                        - {name: URL, value: "http://$(KAFKA_BOOTSTRAP_SERVERS)/x"}
                """, """
                      - {name: ca, secret: {secretName: login, items: [{key: ca.p12, path: store/ca.p12}]}}
                      - {name: scratch, emptyDir: {}}
                """, """
                        - {name: ca, mountPath: /etc/ca}
                        - {name: scratch, mountPath: /tmp}
                """));
        Map<String, byte[]> login = Map.of("password", "s3cret".getBytes(StandardCharsets.UTF_8),
                "ca.p12", new byte[] {1, 2, 3});
        KubernetesWorkloads workloads = new KubernetesWorkloads(manifests,
                name -> name.equals("login") ? Optional.of(login) : Optional.empty(), root, REPO);

        Workload workload = workloads.read("ingest-service");

        assertThat(workload.environment())
                .containsEntry("KAFKA_BOOTSTRAP_SERVERS", "kafka-bootstrap:9093")
                .containsEntry("FROM_ENVFROM", "yes")
                .containsEntry("PASSWORD", "s3cret")
                .containsEntry("CPUS", "2") // 1500m rounded up, as the kubelet reports it
                .containsEntry("URL", "http://kafka-bootstrap:9093/x")
                .containsKey("JAVA_OPTS") // from the image
                .doesNotContainKey("ABSENT");
        assertThat(workload.memoryLimit()).hasValue(1L << 30);
        Workload.Mount ca = workload.mounts().stream().filter(m -> m.containerPath().equals("/etc/ca")).findFirst()
                .orElseThrow();
        assertThat(Files.readAllBytes(ca.local().resolve("store/ca.p12"))).containsExactly(1, 2, 3);
    }

    @Test
    void aSecretNobodyMakesStopsTheWorkloadAsItWouldStopThePod(@TempDir Path root) {
        Manifests manifests = Manifests.parse(CONFIG + deployment("""
                        - {name: KAFKA_SSL_TRUSTSTORE_PASSWORD, valueFrom: {secretKeyRef: {name: cluster-ca, key: ca.password}}}
                """, "        []", "          []"));
        KubernetesWorkloads workloads = new KubernetesWorkloads(manifests, name -> Optional.empty(), root, REPO);

        assertThatThrownBy(() -> workloads.read("ingest-service"))
                .hasMessageContaining("Deployment ingest-service env KAFKA_SSL_TRUSTSTORE_PASSWORD")
                .hasMessageContaining("Secret cluster-ca");
    }

    @Test
    void quantitiesReadLikeKubernetesReadsThem() {
        assertThat(Quantities.bytes("512Mi")).isEqualTo(512L << 20);
        assertThat(Quantities.bytes("1G")).isEqualTo(1_000_000_000L);
        assertThat(Quantities.divide("250m", "1")).isEqualTo("1");
        assertThat(Quantities.divide("8", "1")).isEqualTo("8");
        assertThatThrownBy(() -> Quantities.parse("lots")).hasMessageContaining("not a Kubernetes quantity");
    }

    @Test
    void aServingReplicaRunsTheEvaluatorsImageAsItsPodName(@TempDir Path root) {
        Manifests manifests = Manifests.parse(CONFIG + """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: evaluator-serving}
                spec:
                  template:
                    spec:
                      containers:
                      - name: evaluator-serving
                        image: registry.example.com/finetune/evaluator-service:0.1.0
                        env:
                        - {name: QUARKUS_PROFILE, value: "prod,serving"}
                        - {name: SERVING_TRANSACTIONAL_ID, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
                """);
        KubernetesWorkloads workloads = new KubernetesWorkloads(manifests, name -> Optional.empty(), root, REPO);

        Workload workload = workloads.read("evaluator-serving");

        assertThat(workload.environment())
                .containsEntry("SERVING_TRANSACTIONAL_ID", "evaluator-serving-0") // the StatefulSet's first pod
                .containsEntry("QUARKUS_PROFILE", "prod,serving")
                .containsEntry("EVALUATOR_DATA_DIR", "/data"); // from evaluator-service's Dockerfile
        assertThat(KubernetesWorkloads.module("finetune/trainer-service:0.1.0-cuda")).isEqualTo("trainer-service");
    }
}

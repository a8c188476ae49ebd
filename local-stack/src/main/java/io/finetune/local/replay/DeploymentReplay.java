package io.finetune.local.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.finetune.contracts.Directories;
import io.finetune.contracts.Json;
import io.finetune.contracts.KafkaAccess;
import io.finetune.contracts.Topics;
import io.finetune.contracts.sample.SampleReviews;
import io.finetune.kafka.local.TopicTail;
import io.finetune.local.LocalApiKey;
import io.finetune.local.LocalStack;
import io.finetune.local.PipelineClient;
import io.finetune.local.ServiceProcess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Replays a deployment on this machine: the broker configured as the deployment's Kafka is (listeners, TLS, logins,
 * authorization, users, topics), the four packaged services started with exactly the configuration their
 * containers would get (see {@link KubernetesWorkloads}, {@link ComposeWorkloads} and, for what had to change to
 * run as processes, {@link ContainerLaunch}), then a small labelled dataset pushed through to an evaluation as a
 * user would. Used by deploy/check for every overlay and the compose file; what it cannot cover is in
 * docs/deployment.md ("What deploy/replay covers").
 *
 * <pre>
 *   DeploymentReplay k8s RENDERED.yaml STATE_DIR        (the output of kubectl kustomize)
 *   DeploymentReplay compose STATE_DIR FILE [FILE ...]  (runs docker-compose config on the files)
 * </pre>
 */
public final class DeploymentReplay {
    private static final String DATASET = "replay-reviews";
    private static final Duration READY = Duration.ofMinutes(3);

    private final Path repoRoot;
    private final Path root;
    /** The REST credential the replay's user holds; the deployment gets only its hash, with the write role. */
    private final String apiKey = LocalApiKey.generate();

    private DeploymentReplay(Path repoRoot, Path root) {
        this.repoRoot = repoRoot;
        this.root = root;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3 || !Set.of("k8s", "compose").contains(args[0])) {
            System.err.println("usage: DeploymentReplay k8s RENDERED.yaml STATE_DIR | compose STATE_DIR FILE...");
            System.exit(2);
        }
        Path repoRoot = Path.of(System.getProperty("repo.root", ".")).toAbsolutePath().normalize();
        boolean k8s = args[0].equals("k8s");
        Path state = Path.of(k8s ? args[2] : args[1]).toAbsolutePath();
        Directories.delete(state);
        Files.createDirectories(state);
        DeploymentReplay replay = new DeploymentReplay(repoRoot, state);
        try {
            if (k8s) {
                replay.kubernetes(Manifests.parse(Files.readString(Path.of(args[1]))));
            } else {
                replay.compose(List.of(args).subList(2, args.length));
            }
        } catch (RuntimeException e) {
            System.err.println("REPLAY FAILED: " + e.getMessage());
            System.exit(1);
        }
    }

    void kubernetes(Manifests manifests) {
        BrokerSpec spec = BrokerSpec.fromKubernetes(manifests);
        try (LocalCluster cluster = LocalCluster.start(spec, root.resolve("kafka"))) {
            describe(spec);
            // The Secret docs/security.md tells users to create; every other Secret comes from the operator.
            Map<String, byte[]> apiKeys = Map.of("api-keys", LocalApiKey.writeEntry(apiKey).getBytes(StandardCharsets.UTF_8));
            KubernetesWorkloads workloads = new KubernetesWorkloads(manifests, name ->
                    name.equals("finetune-api-keys") ? Optional.of(apiKeys) : cluster.secret(name), root, repoRoot);
            List<Workload> resolved = LocalStack.SERVICES.stream().map(workloads::read).toList();
            workloads.notes().forEach(note -> System.out.println("  not replayed: " + note));
            run(resolved, cluster);
        }
    }

    void compose(List<String> files) {
        List<String> command = new ArrayList<>(List.of("docker-compose"));
        files.forEach(file -> command.addAll(List.of("-f", file)));
        command.add("config");
        // The variables a user must set (docs/deployment.md); nothing else leaks in from this environment.
        Map<String, String> env = Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
                "GRAFANA_ADMIN_PASSWORD", LocalApiKey.generate(), "FINETUNE_API_KEYS", LocalApiKey.writeEntry(apiKey));
        JsonNode config = Manifests.parse(exec(command, env)).single();
        BrokerSpec spec = BrokerSpec.fromCompose(config);
        try (LocalCluster cluster = LocalCluster.start(spec, root.resolve("kafka"))) {
            describe(spec);
            ComposeWorkloads workloads = new ComposeWorkloads(config, root, repoRoot);
            List<Workload> resolved = LocalStack.SERVICES.stream().map(workloads::read).toList();
            workloads.notes().forEach(note -> System.out.println("  not replayed: " + note));
            run(resolved, cluster);
        }
    }

    private static void describe(BrokerSpec spec) {
        spec.listeners().forEach(l -> System.out.println("  broker listener " + l.name() + " " + l.addresses().get(0)
                + (l.tls() ? " TLS" : " plaintext") + ", login " + l.login()));
        System.out.println("  broker authorization " + (spec.authorization().enabled() ? "on" : "off") + ", users "
                + spec.users().stream().map(u -> u.name() + " (" + u.login() + ", " + u.acls().size() + " ACL rules)")
                .toList() + ", " + spec.topics().size() + " topics");
    }

    private void run(List<Workload> workloads, LocalCluster cluster) {
        Path libtorch = null;
        Map<String, ServiceProcess> services = new LinkedHashMap<>();
        Thread hook = new Thread(() -> services.values().forEach(ServiceProcess::close));
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            for (Workload workload : workloads) {
                if (libtorch == null && workload.environment().values().stream()
                        .anyMatch(v -> v.startsWith("/opt/libtorch"))) {
                    libtorch = ImageLibtorch.extract(repoRoot, root.resolve("image-libtorch"));
                }
                ContainerLaunch launch = new ContainerLaunch(workload, root, repoRoot, cluster.addresses(), libtorch);
                ServiceProcess process = launch.process();
                System.out.println("  " + workload.origin() + ": " + launch.changes().size()
                        + " settings translated for this machine");
                launch.changes().forEach(change -> System.out.println("      " + change));
                services.put(workload.service(), process.start());
            }
            for (ServiceProcess service : services.values()) {
                try {
                    service.awaitReady(READY);
                } catch (IllegalStateException e) {
                    throw new IllegalStateException(e.getMessage() + "\n" + tail(service.log()), e);
                }
            }
            System.out.println("  all four services ready");
            requireClosedReads(services);
            scenario(new PipelineClient(name -> services.get(name).url(), apiKey), services, cluster);
        } finally {
            services.values().forEach(ServiceProcess::close);
            Runtime.getRuntime().removeShutdownHook(hook);
        }
    }

    /** As deployed, every service refuses an anonymous read (docs/security.md: reads closed by default). */
    private static void requireClosedReads(Map<String, ServiceProcess> services) {
        PipelineClient anonymous = new PipelineClient(name -> services.get(name).url(), null);
        Map<String, String> reads = Map.of("ingest-service", "/datasets/" + DATASET, "preprocess-service",
                "/datasets", "trainer-service", "/jobs", "evaluator-service", "/evaluations");
        reads.forEach((service, path) -> {
            int status = anonymous.get(service, path).status();
            if (status != 401) {
                throw new IllegalStateException(service + " answered an anonymous GET " + path + " with " + status
                        + ", not 401: reads are open in this deployment");
            }
        });
        System.out.println("  anonymous reads refused (401) by all four services");
    }

    /** A user's run: a dataset over REST, sealed, prepared, trained for a moment, evaluated. */
    private void scenario(PipelineClient client, Map<String, ServiceProcess> services, LocalCluster cluster) {
        List<SampleReviews.Review> reviews = SampleReviews.generate(600, 5);
        client.require(client.post("ingest-service", "/datasets", "application/json",
                Json.write(Map.of("name", DATASET, "labels", List.of("negative", "positive")))), 201);
        StringBuilder jsonl = new StringBuilder();
        reviews.forEach(r -> jsonl.append(Json.write(Map.of("id", r.id(), "text", r.text(), "label", r.label())))
                .append('\n'));
        client.require(client.post("ingest-service", "/datasets/" + DATASET + "/records", "application/x-ndjson",
                jsonl.toString()), 200);
        int pushed = pushRaw(cluster, SampleReviews.generate(40, 6));
        client.await("ingest-service", "/datasets/" + DATASET,
                s -> s.path("accepted").asLong() + s.path("rejected").asLong() >= reviews.size() + pushed, READY);
        client.require(client.post("ingest-service", "/datasets/" + DATASET + "/seal", "application/json",
                Json.write(Map.of("maxLength", 32))), 200);
        try {
            JsonNode prepared = client.await("preprocess-service", "/datasets/" + DATASET,
                    s -> Set.of("READY", "FAILED").contains(s.path("state").asText()), READY);
            if (!"READY".equals(prepared.path("state").asText())) {
                throw new IllegalStateException("preprocessing failed: " + prepared);
            }
            System.out.println("  dataset prepared: " + prepared.path("manifest"));
            JsonNode job = client.require(client.post("trainer-service", "/jobs", "application/json",
                    Json.write(Map.of("dataset", DATASET, "baseModel", "distilbert-tiny", "hyperparameters",
                            Map.of("learningRate", 5e-3, "epochs", 4, "batchSize", 16, "maxLength", 32)))), 202);
            String jobId = job.path("jobId").asText();
            JsonNode evaluation = client.await("evaluator-service", "/evaluations/" + jobId + "-final",
                    e -> e.has("accuracy"), Duration.ofMinutes(6));
            System.out.println("  evaluated " + jobId + "-final: accuracy " + evaluation.path("accuracy") + " on "
                    + evaluation.path("examples") + " test examples");
            // The data are easy (PipelineIT reaches 0.85 and more): a model near chance means the pipeline mangled
            // something on the way (labels, splits, token ids), however well each service started.
            if (evaluation.path("accuracy").asDouble() < 0.7) {
                throw new IllegalStateException("the model learned nothing: accuracy " + evaluation.path("accuracy")
                        + " on easy data");
            }
        } catch (IllegalStateException e) {
            StringBuilder logs = new StringBuilder(e.getMessage());
            services.values().forEach(s -> logs.append("\n--- ").append(s.name()).append('\n').append(tail(s.log())));
            throw new IllegalStateException(logs.toString(), e);
        }
    }

    /**
     * Pushes records onto the raw topic as a person with kcat would: as the deployment's raw-topic user where it has
     * one, unauthenticated where its broker lets anyone in; not at all where neither is possible.
     *
     * @return how many were pushed
     */
    private static int pushRaw(LocalCluster cluster, List<SampleReviews.Review> reviews) {
        Optional<Map<String, Object>> client = cluster.clientOf(KafkaAccess.RAW_PRODUCER)
                .or(() -> cluster.plaintextClient());
        if (client.isEmpty()) {
            System.out.println("  no raw-topic user and no open listener: records go in over REST only");
            return 0;
        }
        TopicTail.produce(client.get(), Topics.RAW_RECORDS, java.util.Collections.nCopies(reviews.size(), DATASET),
                reviews.stream().map(r -> Json.write(Map.of("dataset", DATASET, "id", r.id(), "text", r.text(),
                        "label", r.label())).getBytes(StandardCharsets.UTF_8)).toList());
        System.out.println("  pushed " + reviews.size() + " records onto " + Topics.RAW_RECORDS + " as "
                + cluster.clientOf(KafkaAccess.RAW_PRODUCER).map(c -> KafkaAccess.RAW_PRODUCER)
                .orElse("an anonymous client"));
        return reviews.size();
    }

    private static String exec(List<String> command, Map<String, String> env) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
            builder.environment().clear();
            builder.environment().putAll(env);
            Process process = builder.start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed");
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of("(no log)");
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ")";
        }
    }
}

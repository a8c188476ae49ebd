package io.finetune.local;

import io.finetune.contracts.Directories;
import io.finetune.contracts.TopicAdmin;
import io.finetune.kafka.local.LocalKafka;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole pipeline on one machine: a real Kafka broker and the four services as separate processes (and, where
 * asked, replicas of some and the evaluator's serving replicas), started the way a user's local run starts them.
 * Closing it stops everything it started, services first.
 */
public final class LocalStack implements AutoCloseable {
    public static final List<String> SERVICES = List.of("ingest-service", "preprocess-service", "trainer-service",
            "evaluator-service");
    /** The services that may run as several processes ({@link #startAll(int, Map)}). */
    public static final List<String> REPLICABLE = List.of("preprocess-service", "trainer-service");
    /**
     * The key of {@link #startAll(int, Map)}'s replicas map for the evaluator's serving replicas ({@link
     * ServingReplica}), which run beside the evaluator: {@code Map.of("evaluator-serving", 2)} adds two.
     */
    public static final String SERVING_REPLICAS = "evaluator-serving";
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
    /**
     * PyTorch's intra-op threads for the trainer (system property; environment variable
     * {@value #TRAINER_THREADS_ENV}): by default one per core this JVM sees. The other services get one thread: ingest
     * and preprocess barely use PyTorch, and the evaluator scores checkpoints while the trainer goes on training, so
     * threads of its own would fight the trainer's for the same cores.
     */
    public static final String TRAINER_THREADS = "finetune.local.trainer-threads";
    public static final String TRAINER_THREADS_ENV = "FINETUNE_TRAINER_THREADS";

    private final Path repoRoot;
    private final Path stateDir;
    private final LocalKafka kafka;
    /**
     * The services run with authentication on, as deployed, reads closed; this stack's clients send this key, a new
     * one each run, on every request. It has the write role, which reads too.
     */
    private final String apiKey = LocalApiKey.generate();
    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    private volatile boolean closed;

    private LocalStack(Path repoRoot, Path stateDir, LocalKafka kafka) {
        this.repoRoot = repoRoot;
        this.stateDir = stateDir;
        this.kafka = kafka;
    }

    /**
     * Starts the broker and the four services and waits until all are ready.
     *
     * @param firstPort port of ingest-service; the others follow (ingest, preprocess, trainer, evaluator), or free
     *                  ports when 0
     */
    public static LocalStack start(Path repoRoot, Path stateDir, int kafkaPort, int firstPort) {
        LocalStack stack = prepare(repoRoot, stateDir, kafkaPort);
        try {
            stack.startAll(firstPort);
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    /** A stack that has started nothing yet, so a caller can arrange to close it before anything runs. */
    public static LocalStack prepare(Path repoRoot, Path stateDir, int kafkaPort) {
        Directories.delete(stateDir);
        Path lib = repoRoot.resolve("kafka-local/target/broker-lib");
        LocalKafka kafka = new LocalKafka(lib, stateDir.resolve("kafka"),
                kafkaPort == 0 ? LocalKafka.freePort() : kafkaPort);
        return new LocalStack(repoRoot, stateDir, kafka);
    }

    /** Starts the broker, creates the topics, starts one process per service and waits until each reports ready. */
    public void startAll(int firstPort) {
        startAll(firstPort, Map.of());
    }

    /**
     * The same, with several processes of a service where {@code replicas} says so: the first is named after the
     * service, the others {@code <service>-2}, {@code -3}, on free ports. Only {@link #REPLICABLE} services: ingest
     * replicas would each need an id of their own for their counts, and the evaluator keeps its deployments per
     * process (docs/serving.md). {@value #SERVING_REPLICAS} adds that many serving replicas of the evaluator, named
     * {@code evaluator-serving-0}, {@code -1}, ..., on free ports, started after the four services.
     */
    public void startAll(int firstPort, Map<String, Integer> replicas) {
        checkReplicas(replicas);
        kafka.start();
        TopicAdmin.ensureTopics(Map.of("bootstrap.servers", kafka.bootstrapServers()), (short) 1);
        for (int i = 0; i < SERVICES.size(); i++) {
            String name = SERVICES.get(i);
            for (int replica = 1; replica <= replicas.getOrDefault(name, 1); replica++) {
                int port = firstPort == 0 || replica > 1 ? LocalKafka.freePort() : firstPort + i;
                start(replica == 1 ? name : name + "-" + replica, name, port, replicas.getOrDefault(name, 1) > 1);
            }
        }
        for (ServingReplica replica : ServingReplica.first(replicas.getOrDefault(SERVING_REPLICAS, 0))) {
            start(replica.name(), ServingReplica.SERVICE, LocalKafka.freePort(), replica.properties());
        }
        for (ServiceProcess service : services.values()) {
            service.awaitReady(READY_TIMEOUT);
        }
    }

    /** Refuses a replicas map this stack cannot start, before anything is started. */
    static void checkReplicas(Map<String, Integer> replicas) {
        replicas.forEach((service, count) -> {
            if (service.equals(SERVING_REPLICAS)) {
                if (count < 0) {
                    throw new IllegalArgumentException(SERVING_REPLICAS + " takes a count of serving replicas, at "
                            + "least 0, not " + count);
                }
            } else if (!SERVICES.contains(service)) {
                throw new IllegalArgumentException("no service " + service + "; known: " + SERVICES + " and "
                        + SERVING_REPLICAS + " (the evaluator's serving replicas)");
            } else if (count > 1 && !REPLICABLE.contains(service)) {
                throw new IllegalArgumentException(service + " runs as one process here; only " + REPLICABLE
                        + " may have replicas, and the evaluator serving replicas (" + SERVING_REPLICAS + ")");
            }
        });
    }

    private void start(String instance, String name, int port, boolean replicated) {
        // Static membership, as the StatefulSet's pods have (their names): a restarted replica takes its own
        // partitions back, and the group tells which process owns which partition.
        start(instance, name, port, replicated && name.equals("preprocess-service")
                ? Map.of("preprocess.group-instance-id", instance) : Map.of());
    }

    private void start(String instance, String name, int port, Map<String, String> instanceProperties) {
        // Only the key's hash goes on the command line, where other local users can read it (docs/security.md).
        // A 10 s consumer session (Kafka's default is 45 s) lets a service killed and restarted on this machine
        // take its partitions back within seconds instead of waiting out its dead predecessor's session.
        int threads = name.equals("trainer-service") ? trainerThreads() : 1;
        Map<String, String> properties = new java.util.TreeMap<>(Map.of(
                "kafka.bootstrap.servers", kafka.bootstrapServers(),
                "finetune.auth.api-keys", LocalApiKey.writeEntry(apiKey),
                "kafka.session.timeout.ms", "10000",
                // A sequential encoder: inter-op threads would have nothing to run side by side.
                "ai.djl.pytorch.num_threads", String.valueOf(threads),
                "ai.djl.pytorch.num_interop_threads", "1"));
        properties.putAll(instanceProperties);
        ServiceProcess service = new ServiceProcess(instance, name, repoRoot, port, stateDir.resolve("services"),
                properties);
        synchronized (services) {
            if (closed) { // Ctrl-C while starting: close() has run or is running; start nothing more
                throw new IllegalStateException("the stack was closed while starting");
            }
            services.put(instance, service.start());
        }
    }

    /**
     * The trainer's PyTorch threads: {@value #TRAINER_THREADS}, else {@value #TRAINER_THREADS_ENV}, else the cores
     * this JVM sees.
     */
    public static int trainerThreads() {
        String value = System.getProperty(TRAINER_THREADS, System.getenv(TRAINER_THREADS_ENV));
        if (value == null || value.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int threads = Integer.parseInt(value.trim());
            if (threads >= 1) {
                return threads;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(TRAINER_THREADS + " / " + TRAINER_THREADS_ENV + " must be a whole number"
                + " of threads, at least 1, not '" + value + "'");
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** The API key every service of this stack accepts (X-API-Key). */
    public String apiKey() {
        return apiKey;
    }

    public LocalKafka kafka() {
        return kafka;
    }

    /** A process by its name: a service's first (or only) one by the service's name, others as {@code name-2}. */
    public ServiceProcess service(String name) {
        return services.get(name);
    }

    /**
     * Every process of a service, the first one first; for {@value #SERVING_REPLICAS}, the evaluator's serving
     * replicas ({@code evaluator-serving-0}, ...).
     */
    public List<ServiceProcess> instances(String service) {
        synchronized (services) {
            return services.values().stream().filter(p -> p.name().equals(service)
                    || p.name().matches(java.util.regex.Pattern.quote(service) + "-\\d+")).toList();
        }
    }

    public String url(String service) {
        return services.get(service).url();
    }

    public Path stateDir() {
        return stateDir;
    }

    public Path repoRoot() {
        return repoRoot;
    }

    /** Stops what was started, services first; safe to call at any point and more than once. */
    @Override
    public void close() {
        List<ServiceProcess> reversed;
        synchronized (services) {
            closed = true;
            reversed = new ArrayList<>(services.values());
        }
        java.util.Collections.reverse(reversed);
        reversed.forEach(ServiceProcess::close);
        kafka.stop();
    }
}

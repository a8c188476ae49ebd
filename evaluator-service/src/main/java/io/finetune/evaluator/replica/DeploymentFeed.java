package io.finetune.evaluator.replica;

import io.finetune.contracts.DeploymentState;
import io.finetune.contracts.Json;
import io.finetune.contracts.Topics;
import io.finetune.evaluator.config.EvaluatorConfig;
import io.finetune.evaluator.serving.ServedDeployment;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A serving replica's deployments: it tails {@link Topics#DEPLOYMENTS} from the beginning (assigned, no group, so
 * every replica reads every state) and switches a deployment to a state's checkpoint only once that checkpoint's model
 * is fetched and loaded ({@link ReplicaModels}), so the serving loop never waits on a fetch and never answers with a
 * model it lacks. A tombstone removes the deployment. A state whose model cannot be had leaves the deployment on what
 * it served, says why in the log and in {@link #problems()}, and is tried again every {@link #RETRY}.
 */
@ApplicationScoped
public class DeploymentFeed {
    private static final Logger LOG = Logger.getLogger(DeploymentFeed.class);
    private static final Duration POLL = Duration.ofMillis(500);
    static final Duration RETRY = Duration.ofSeconds(30);

    /** What a request needs of a state. */
    private record Served(String name, String checkpoint, List<String> textFields) implements ServedDeployment {
    }

    private final EvaluatorConfig config;
    private final ReplicaModels models;
    private final Map<String, Object> kafkaConfig;
    /** Deployment name to the state it serves now. Guarded by this, with {@link #preparing}. */
    private final Map<String, DeploymentState> serving = new HashMap<>();
    /** The checkpoint being fetched or loaded, which {@link #releaseUnused} must leave alone; null when none. */
    private String preparing;
    /** Whether a deployment left a model since the last {@link #releaseUnused}. Guarded by this. */
    private boolean changed;
    /** The latest state of each deployment not yet switched to: the feed thread's only. */
    private final Map<String, DeploymentState> waiting = new LinkedHashMap<>();
    private final Map<String, String> problems = new ConcurrentHashMap<>();
    /** Serving threads waiting for the feed to read the topic to its end as it is when they asked ({@link #catchUp}). */
    private final ConcurrentLinkedQueue<CompletableFuture<Void>> asked = new ConcurrentLinkedQueue<>();
    /** The ends they wait for, each with its waiters: the feed thread's only. */
    private final List<Catch> catching = new ArrayList<>();

    private record Catch(Map<TopicPartition, Long> end, List<CompletableFuture<Void>> waiters) {
    }
    private volatile boolean caughtUp;
    private volatile String failure;
    private volatile boolean running;
    private KafkaConsumer<String, String> consumer;
    private Thread thread;

    /** @param kafkaConfig every {@code kafka.*} setting, security included, as the service's channels get them */
    public DeploymentFeed(EvaluatorConfig config, ReplicaModels models,
                          @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.config = config;
        this.models = models;
        this.kafkaConfig = kafkaConfig;
    }

    void onStart(@Observes StartupEvent event) {
        if (config.role() != EvaluatorConfig.Role.SERVING) {
            return; // the evaluator keeps the deployments itself
        }
        Map<String, Object> props = new HashMap<>(kafkaConfig);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        running = true;
        thread = new Thread(this::run, "deployment-feed");
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        if (thread == null) {
            return;
        }
        running = false;
        consumer.wakeup();
        thread.join(TimeUnit.MINUTES.toMillis(1));
    }

    private void run() {
        try (KafkaConsumer<String, String> closedAtTheEnd = consumer) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.DEPLOYMENTS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Instant retried = Instant.now();
            while (running) {
                noteWhereCatchUpsEnd(partitions);
                for (ConsumerRecord<String, String> record : consumer.poll(POLL)) {
                    accept(record);
                }
                // Every record before those ends is applied: switched to, or failed with its problem noted.
                catching.removeIf(c -> {
                    boolean reached = partitions.stream().allMatch(tp -> consumer.position(tp) >= c.end().get(tp));
                    if (reached) {
                        c.waiters().forEach(w -> w.complete(null));
                    }
                    return reached;
                });
                if (!caughtUp && partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp))) {
                    caughtUp = true;
                    LOG.infof("read %s to its end: serving %s%s", Topics.DEPLOYMENTS, names(),
                            problems.isEmpty() ? "" : "; not as the topic says: " + problems);
                }
                if (!waiting.isEmpty() && Instant.now().isAfter(retried.plus(RETRY))) {
                    retried = Instant.now();
                    List.copyOf(waiting.values()).forEach(this::switchTo);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                stopped(e);
            }
        } catch (RuntimeException e) {
            stopped(e);
        } finally {
            // Nothing more will be read: whoever waits is answered from what there is.
            catching.forEach(c -> c.waiters().forEach(w -> w.complete(null)));
            asked.forEach(w -> w.complete(null));
        }
    }

    private void noteWhereCatchUpsEnd(List<TopicPartition> partitions) {
        if (asked.isEmpty()) {
            return;
        }
        List<CompletableFuture<Void>> waiters = new ArrayList<>();
        for (CompletableFuture<Void> waiter = asked.poll(); waiter != null; waiter = asked.poll()) {
            waiters.add(waiter);
        }
        catching.add(new Catch(consumer.endOffsets(partitions), waiters));
    }

    /**
     * The deployment of this name once the feed has applied every state on the topic when asked (fetching their
     * models included), or after {@code timeout}, whichever comes first; empty when it serves none of that name then.
     * For a request naming a deployment the replica lacks: one created a moment ago is served, not refused.
     */
    public Optional<ServedDeployment> catchUp(String name, Duration timeout) {
        if (running && failure == null) {
            CompletableFuture<Void> caught = new CompletableFuture<>();
            asked.add(caught);
            try {
                caught.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                LOG.warnf("the deployment feed did not catch up with %s within %s; deployment %s is served as it"
                        + " stands", Topics.DEPLOYMENTS, timeout, name);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            DeploymentState state = serving.get(name);
            return state == null ? Optional.empty()
                    : Optional.of(new Served(state.name(), state.checkpoint(), state.textFields()));
        }
    }

    private void accept(ConsumerRecord<String, String> record) {
        String name = record.key();
        if (name == null) {
            LOG.warnf("skipped a record without a key at offset %d of %s", record.offset(), Topics.DEPLOYMENTS);
            return;
        }
        waiting.remove(name);
        problems.remove(name);
        if (record.value() == null) {
            synchronized (this) {
                changed |= serving.remove(name) != null;
            }
            LOG.infof("deployment %s was removed", name);
            return;
        }
        DeploymentState state;
        try {
            state = Json.MAPPER.readValue(record.value(), DeploymentState.class);
        } catch (Exception e) {
            problems.put(name, "its state at offset " + record.offset() + " is unreadable (" + e.getMessage() + ")"
                    + still(name));
            LOG.warnf("deployment %s: %s", name, problems.get(name));
            return;
        }
        switchTo(state);
    }

    /** Fetches and loads the state's model, and only then serves the state. */
    private void switchTo(DeploymentState state) {
        synchronized (this) {
            DeploymentState now = serving.get(state.name());
            if (now != null && now.checkpoint().equals(state.checkpoint()) && now.maxLength() == state.maxLength()) {
                serving.put(state.name(), state); // the same model: its text fields may have changed
                waiting.remove(state.name());
                return;
            }
            preparing = state.checkpoint();
        }
        Optional<String> problem;
        try {
            problem = models.prepare(state.checkpoint(), state.maxLength());
        } catch (RuntimeException e) {
            problem = Optional.of(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        synchronized (this) {
            preparing = null;
            changed = true; // the model it left, or the one that failed to load
            if (problem.isEmpty()) {
                serving.put(state.name(), state);
            }
        }
        if (problem.isEmpty()) {
            waiting.remove(state.name());
            problems.remove(state.name());
            LOG.infof("deployment %s serves checkpoint %s (max length %d, changed at %s)", state.name(),
                    state.checkpoint(), state.maxLength(), state.updatedAt());
        } else {
            waiting.put(state.name(), state);
            problems.put(state.name(), "checkpoint " + state.checkpoint() + " (changed at " + state.updatedAt()
                    + ") cannot be served: " + problem.get() + still(state.name()));
            LOG.warnf("deployment %s: %s; trying again in %s", state.name(), problems.get(state.name()), RETRY);
        }
    }

    private synchronized String still(String name) {
        DeploymentState now = serving.get(name);
        return now == null ? "; this replica does not serve the deployment"
                : "; this replica still serves checkpoint " + now.checkpoint();
    }

    /** The deployments this replica serves now, each with a loaded model. */
    public synchronized List<ServedDeployment> deployments() {
        return serving.values().stream()
                .<ServedDeployment>map(s -> new Served(s.name(), s.checkpoint(), s.textFields())).toList();
    }

    /** Unloads the models no deployment serves; never the one being prepared for a switch. */
    public synchronized void releaseUnused() {
        if (!changed) {
            return;
        }
        changed = false;
        Set<String> kept = new HashSet<>();
        serving.values().forEach(s -> kept.add(s.checkpoint()));
        if (preparing != null) {
            kept.add(preparing);
        }
        models.retainOnly(kept);
    }

    /** Whether the topic was read to the end it had at start, each state's model fetched (or its failure known). */
    public boolean caughtUp() {
        return caughtUp;
    }

    /** Deployment name to why it does not serve what the topic says, for the deployments where it does not. */
    public Map<String, String> problems() {
        return new TreeMap<>(problems);
    }

    /** Why the feed stopped while it should run (the broker refused the read, say); empty while it runs. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    private synchronized Set<String> names() {
        return new TreeMap<>(serving).keySet();
    }

    private void stopped(RuntimeException e) {
        LOG.error("the deployment feed stopped: deployment changes no longer reach this serving replica", e);
        failure = e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}

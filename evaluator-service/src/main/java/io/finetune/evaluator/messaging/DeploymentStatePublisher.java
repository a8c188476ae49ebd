package io.finetune.evaluator.messaging;

import io.finetune.contracts.DeploymentState;
import io.finetune.contracts.Json;
import io.finetune.contracts.Topics;
import io.finetune.evaluator.config.EvaluatorConfig;
import io.finetune.evaluator.domain.EvaluatedCheckpoint;
import io.finetune.evaluator.domain.EvaluationStore;
import io.finetune.evaluator.domain.Predictions;
import io.finetune.evaluator.serving.Deployment;
import io.finetune.evaluator.serving.DeploymentChanges;
import io.finetune.evaluator.serving.DeploymentStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Puts what each deployment serves on {@link Topics#DEPLOYMENTS} ({@link DeploymentState}, keyed by name), for the
 * serving replicas: the outbox of {@link io.finetune.evaluator.serving.Deployments}. A change is on disk before it is
 * noted here ({@link #changed}, which returns at once), and this publisher's own thread sends the newest state of
 * each noted name, one at a time and in order, until Kafka acknowledges it (acks=all, idempotent); while it cannot,
 * it logs why and tries again, and {@code finetune_serving_deployments_unpublished_seconds} grows. A change while
 * a state is on its way is sent after it. At start every deployment is noted again: that repairs a crash between a
 * change's file and its record on the topic, and a topic whose records were lost. So a state may appear twice; the
 * newest per name counts.
 */
@ApplicationScoped
public class DeploymentStatePublisher implements DeploymentChanges {
    private static final Logger LOG = Logger.getLogger(DeploymentStatePublisher.class);
    /** How long one send may wait for Kafka before it is logged and tried again. */
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration RETRY_BACKOFF = Duration.ofSeconds(2);
    private static final Duration LOG_EVERY = Duration.ofMinutes(1);

    /** A name waiting to be published: which change it is at, and since when the name has waited. */
    private record Pending(long change, Instant since) {
    }

    private final DeploymentStore store;
    private final EvaluationStore evaluations;
    private final Map<String, Object> kafkaConfig;
    private final Clock clock;
    private final Duration sendTimeout;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong changes = new AtomicLong();
    private final Semaphore work = new Semaphore(0);
    private volatile boolean running;
    private Thread thread;
    /** When a failure was last logged, or null: logged at most once a {@link #LOG_EVERY} while Kafka is away. */
    private Instant lastLogged;
    /** Why the last send failed, while states wait; null once all are acknowledged. */
    private volatile String problem;

    @Inject
    public DeploymentStatePublisher(DeploymentStore store, EvaluationStore evaluations, MeterRegistry registry,
                                    @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this(store, evaluations, kafkaConfig, Clock.systemUTC(), SEND_TIMEOUT);
        Gauge.builder("finetune.serving.deployments.unpublished", pending, Map::size)
                .description("Deployments whose newest state Kafka has not acknowledged yet").register(registry);
        Gauge.builder("finetune.serving.deployments.unpublished.seconds", this, p -> p.unpublishedFor().toSeconds())
                .description("How long the longest-waiting deployment state has waited for Kafka; 0 when none")
                .baseUnit("seconds").register(registry);
    }

    /**
     * @param kafkaConfig every {@code kafka.*} setting, security included, as the service's channels get them
     * @param sendTimeout how long one send waits for Kafka's acknowledgement before it is tried again
     */
    public DeploymentStatePublisher(DeploymentStore store, EvaluationStore evaluations,
                                    Map<String, Object> kafkaConfig, Clock clock, Duration sendTimeout) {
        this.store = store;
        this.evaluations = evaluations;
        this.kafkaConfig = kafkaConfig;
        this.clock = clock;
        this.sendTimeout = sendTimeout;
    }

    @Override
    public void changed(String name) {
        Instant now = clock.instant();
        long change = changes.incrementAndGet();
        pending.merge(name, new Pending(change, now), (old, next) -> new Pending(next.change(), old.since()));
        work.release();
    }

    @Override
    public boolean awaitPublished(String name, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (pending) {
            while (pending.containsKey(name)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(pending, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    /** How long the oldest unpublished change has waited; zero when every state is acknowledged. */
    public Duration unpublishedFor() {
        return pending.values().stream().map(Pending::since).min(Instant::compareTo)
                .map(since -> Duration.between(since, clock.instant())).orElse(Duration.ZERO);
    }

    /** Why the last try to publish failed, while states wait for Kafka; empty once every state is acknowledged. */
    public Optional<String> problem() {
        return pending.isEmpty() ? Optional.empty() : Optional.ofNullable(problem);
    }

    void onStart(@Observes StartupEvent event, EvaluatorConfig config) {
        if (config.role() == EvaluatorConfig.Role.SERVING) {
            return; // a serving replica follows the deployments on the topic; only the evaluator writes them
        }
        start();
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    /** Notes every deployment on record and starts sending. */
    public synchronized void start() {
        store.all().forEach(d -> changed(d.name()));
        running = true;
        thread = new Thread(this::run, "deployment-states");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Stops sending: lets a send on its way finish for a few seconds, then interrupts it. What is unpublished is noted
     * again by the next start.
     */
    public synchronized void stop() {
        if (thread == null) {
            return;
        }
        running = false;
        work.release();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
            thread.interrupt();
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread = null;
    }

    private void run() {
        Map<String, Object> props = new HashMap<>(kafkaConfig);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) sendTimeout.toMillis());
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) sendTimeout.toMillis() / 2);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, sendTimeout.toMillis());
        KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer());
        try {
            while (running) {
                work.tryAcquire(1, TimeUnit.SECONDS);
                work.drainPermits();
                while (running && !pending.isEmpty() && publishAll(producer)) {
                    // until every noted name is acknowledged, or a send failed
                }
            }
        } catch (InterruptedException | InterruptException e) {
            // stopping
        } catch (RuntimeException e) {
            LOG.errorf(e, "publishing deployment states stopped; %d wait (restart the evaluator to publish them)",
                    pending.size());
        } finally {
            Thread.interrupted(); // closes without waiting for what is unacknowledged: the next start sends it again
            producer.close(Duration.ZERO);
        }
    }

    /** @return whether each name pending when it began was sent; false after a failure, once it has waited */
    private boolean publishAll(KafkaProducer<String, String> producer) throws InterruptedException {
        for (Map.Entry<String, Pending> entry : Map.copyOf(pending).entrySet()) {
            String name = entry.getKey();
            try {
                publish(producer, name);
            } catch (InterruptException e) {
                throw e; // stopping
            } catch (ExecutionException | TimeoutException | KafkaException e) {
                failed(name, e instanceof ExecutionException ? e.getCause() : e);
                Thread.sleep(RETRY_BACKOFF.toMillis());
                return false;
            }
            // Only this change: one noted while the state was on its way is sent again, newer.
            if (pending.remove(name, entry.getValue())) {
                synchronized (pending) {
                    pending.notifyAll();
                }
            }
        }
        if (problem != null) {
            LOG.infof("deployment states published again to %s", Topics.DEPLOYMENTS);
            problem = null;
            lastLogged = null;
        }
        return true;
    }

    private void publish(KafkaProducer<String, String> producer, String name)
            throws ExecutionException, TimeoutException, InterruptedException {
        Optional<DeploymentState> state = store.get(name).flatMap(this::stateOf);
        if (state.isEmpty()) {
            return;
        }
        // The producer itself gives up after its delivery timeout; waiting twice as long only guards against a hang.
        producer.send(new ProducerRecord<>(Topics.DEPLOYMENTS, name, Json.write(state.get())))
                .get(2 * sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
        LOG.debugf("published deployment %s: checkpoint %s", name, state.get().checkpoint());
    }

    /** Empty, and said, where the checkpoint's evaluation is gone: nothing could serve it with a known max length. */
    private Optional<DeploymentState> stateOf(Deployment d) {
        Optional<EvaluatedCheckpoint> evaluation = evaluations.get(d.checkpoint());
        if (evaluation.isEmpty()) {
            LOG.errorf("deployment %s serves checkpoint %s, which has no evaluation on record: its state is not"
                    + " published", d.name(), d.checkpoint());
            return Optional.empty();
        }
        return Optional.of(new DeploymentState(DeploymentState.VERSION, d.name(), d.checkpoint(), d.textFields(),
                Predictions.maxLength(evaluation.get()), d.updatedAt()));
    }

    private void failed(String name, Throwable why) {
        problem = "Kafka did not acknowledge the state of deployment " + name + ": " + why;
        Instant now = clock.instant();
        if (lastLogged == null || Duration.between(lastLogged, now).compareTo(LOG_EVERY) >= 0) {
            LOG.warnf("Kafka did not acknowledge the state of deployment %s on %s (%d waiting, the oldest for %s): %s;"
                    + " trying again", name, Topics.DEPLOYMENTS, pending.size(), unpublishedFor(), why);
            lastLogged = now;
        }
    }
}

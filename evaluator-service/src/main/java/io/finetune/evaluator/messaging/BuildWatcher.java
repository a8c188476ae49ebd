package io.finetune.evaluator.messaging;

import io.finetune.contracts.Json;
import io.finetune.contracts.ShardManifest;
import io.finetune.contracts.Topics;
import io.finetune.evaluator.config.EvaluatorConfig;
import io.finetune.evaluator.serving.Retraining;
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
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Reads the manifests on {@link Topics#SHARDS}, from the beginning, and tells {@link Retraining} of each dataset build
 * in topic order; after each poll it lets it submit jobs for newer builds. A plain consumer, assigned every partition
 * with no group (READ on the topic is all it needs): each replica sees every build, and a restart reads them all
 * again, which submits nothing twice (a deployment notes the build it retrained). Runs only while some deployment
 * retrains on newer builds: reading the whole topic, shards included, is not free.
 */
@ApplicationScoped
public class BuildWatcher {
    private static final Logger LOG = Logger.getLogger(BuildWatcher.class);
    private static final Duration POLL = Duration.ofSeconds(1);

    private final Retraining retraining;
    private final Map<String, Object> kafkaConfig;
    private volatile boolean running;
    private KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    /** @param kafkaConfig every {@code kafka.*} setting, security included, as the service's channels get them */
    public BuildWatcher(Retraining retraining, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.retraining = retraining;
        this.kafkaConfig = kafkaConfig;
    }

    void onStart(@Observes StartupEvent event, EvaluatorConfig config) {
        if (config.role() == EvaluatorConfig.Role.SERVING) {
            return; // a serving replica keeps no deployments of its own, so no retraining policies
        }
        if (retraining.anyOnNewBuilds()) {
            ensureRunning();
        }
    }

    /** Starts watching, unless it watches already. */
    public synchronized void ensureRunning() {
        if (thread != null) {
            return;
        }
        Map<String, Object> props = new HashMap<>(kafkaConfig);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        running = true;
        thread = new Thread(this::run, "build-watcher");
        thread.setDaemon(true);
        thread.start();
        LOG.info("watching the shards topic for newer builds of deployments' datasets");
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        Thread watching;
        synchronized (this) {
            watching = thread;
            running = false;
        }
        if (watching != null) {
            consumer.wakeup();
            watching.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    private void run() {
        try (KafkaConsumer<String, byte[]> closedAtTheEnd = consumer) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.SHARDS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    if (isManifest(record)) {
                        onManifest(record);
                    }
                }
                retraining.retrainNewer();
            }
        } catch (WakeupException e) {
            if (running) {
                stopped(e);
            }
        } catch (RuntimeException e) {
            stopped(e);
        }
    }

    private void onManifest(ConsumerRecord<String, byte[]> record) {
        try {
            ShardManifest manifest = Json.read(new String(record.value(), StandardCharsets.UTF_8), ShardManifest.class);
            retraining.onBuild(manifest.dataset(), manifest.build());
        } catch (RuntimeException e) {
            // A manifest nobody can read names no build a trainer could train on either.
            LOG.errorf("unreadable manifest at %s-%d@%d skipped: %s", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
        }
    }

    /** The next policy set over REST starts it again ({@link #ensureRunning}). */
    private synchronized void stopped(RuntimeException e) {
        LOG.error("the build watcher stopped: no retraining on newer builds until a retraining policy is set again", e);
        thread = null;
    }

    private static boolean isManifest(ConsumerRecord<String, byte[]> record) {
        Header type = record.headers().lastHeader(Topics.HEADER_TYPE);
        return type != null && ShardManifest.RECORD_TYPE.equals(new String(type.value(), StandardCharsets.UTF_8));
    }
}

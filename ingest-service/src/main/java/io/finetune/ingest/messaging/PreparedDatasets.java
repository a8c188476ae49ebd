package io.finetune.ingest.messaging;

import io.finetune.contracts.Json;
import io.finetune.contracts.PreparationFailed;
import io.finetune.contracts.PreparationOutcome;
import io.finetune.contracts.ShardManifest;
import io.finetune.contracts.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What preprocess last said of each sealed dataset: the manifest it published (so a dataset's status shows its
 * cleaning report and shards in one place), or why it could not prepare it. An index of the shards topic (the source
 * of truth), built by one reader thread that follows the topic from its start and keeps, per dataset, the newest
 * manifest or {@link PreparationFailed}. Shards, nearly all of the topic's bytes, are skipped by their type header
 * without being decoded. A lookup is answered from memory; one that must see what preprocess has just published
 * waits until the reader has reached the topic's end offsets as the broker gives them after the lookup began.
 * <p>
 * Before, each lookup of a dataset not yet prepared read the whole topic again: a status page polled while a large
 * dataset was being prepared read every shard of every dataset at each GET.
 */
@ApplicationScoped
@Startup
public class PreparedDatasets {
    private static final Logger LOG = Logger.getLogger(PreparedDatasets.class);
    private static final String TOPIC = Topics.SHARDS;

    private record Waiter(Map<TopicPartition, Long> until, CompletableFuture<Void> done) {
    }

    private final Map<String, Object> kafkaConfig;
    private final Duration waitLimit;
    private final Counter recordsRead;
    private final Map<String, PreparationOutcome> latest = new ConcurrentHashMap<>();
    /** The newest manifest per dataset, even when a failure came after it (a continuous dataset's prepared version). */
    private final Map<String, ShardManifest> manifests = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    private final List<Waiter> waiters = new ArrayList<>();
    private final EndOffsets ends;
    /** Completes once the reader has its partitions: end offsets asked before would name none. */
    private final CompletableFuture<Void> assigned = new CompletableFuture<>();
    private final Thread reader;
    private volatile KafkaConsumer<String, PreparationOutcome> consumer;
    private volatile String problem = "not read yet";
    private volatile boolean closed;

    @Inject
    public PreparedDatasets(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
                            RegistryConfig config, MeterRegistry meters) {
        this(kafkaConfig, config.waitLimit(), meters);
    }

    /** Call {@link #start()} before use and {@link #close()} after. */
    public PreparedDatasets(Map<String, Object> kafkaConfig, Duration waitLimit, MeterRegistry meters) {
        this.kafkaConfig = kafkaConfig;
        this.waitLimit = waitLimit;
        this.recordsRead = Counter.builder("finetune.ingest.shard.index.records")
                .description("records of " + TOPIC + " read by ingest's index of manifests and preparation failures:"
                        + " grows with the topic, not with status lookups")
                .register(meters);
        this.ends = new EndOffsets(kafkaConfig, "ingest-shard-index-ends", Duration.ofSeconds(30));
        this.reader = new Thread(this::run, "ingest-shard-index");
        this.reader.setDaemon(true);
    }

    @PostConstruct
    public synchronized void start() {
        if (!closed && !reader.isAlive()) {
            reader.start();
        }
    }

    /**
     * What preprocess last published of the dataset, including everything it published before this call. Blocking:
     * waits for the index to read up to the topic's end (at most {@code ingest.registry.wait-limit}); a prepared
     * dataset's manifest is final and is answered at once (unless the dataset is continuous: a version's manifest is
     * followed by the next one's).
     */
    public Optional<PreparationOutcome> outcome(String dataset) {
        PreparationOutcome known = latest.get(dataset);
        if (known instanceof ShardManifest manifest && manifest.version() == null) {
            return Optional.of(known);
        }
        awaitCaughtUp();
        return Optional.ofNullable(latest.get(dataset));
    }

    /** The newest manifest preprocess published of the dataset, whatever came after it; blocking as {@link #outcome}. */
    public Optional<ShardManifest> newestManifest(String dataset) {
        awaitCaughtUp();
        return Optional.ofNullable(manifests.get(dataset));
    }

    private void awaitCaughtUp() {
        try {
            caughtUp().get(waitLimit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the index of " + TOPIC + " did not catch up within " + waitLimit + ": "
                    + (problem == null ? "the topic is being read" : problem), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading " + TOPIC, e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("could not read " + TOPIC + ": " + e.getCause().getMessage(), e);
        }
    }

    /** Records of the shards topic the index has read since start-up: the topic's size, not lookups times it. */
    public long recordsRead() {
        return (long) recordsRead.count();
    }

    private CompletableFuture<Void> caughtUp() {
        return assigned.thenCompose(ready -> ends.next()).thenCompose(until -> {
            Waiter waiter = new Waiter(until, new CompletableFuture<>());
            synchronized (waiters) {
                waiters.add(waiter);
            }
            completeWaiters();
            return waiter.done();
        });
    }

    private void run() {
        Properties props = new Properties();
        props.putAll(kafkaConfig);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(2 * 1024 * 1024));
        try (KafkaConsumer<String, PreparationOutcome> reading = new KafkaConsumer<>(props, new StringDeserializer(),
                new OutcomeOnly())) {
            consumer = reading;
            if (closed) {
                return;
            }
            List<TopicPartition> partitions = assign(reading);
            while (!closed) {
                for (ConsumerRecord<String, PreparationOutcome> record : reading.poll(Duration.ofMillis(500))) {
                    recordsRead.increment();
                    if (record.value() != null && record.key() != null) {
                        latest.put(record.key(), record.value()); // a dataset's outcomes share a partition: in order
                        if (record.value() instanceof ShardManifest manifest) {
                            manifests.put(record.key(), manifest);
                        }
                    }
                }
                for (TopicPartition partition : partitions) {
                    positions.put(partition, reading.position(partition));
                }
                problem = null;
                completeWaiters();
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            problem = "stopped reading " + TOPIC + ": " + e;
            LOG.errorf(e, "the index of %s stopped", TOPIC);
        }
    }

    /** Every partition from its start; waits (and says why) while the topic does not exist. */
    private List<TopicPartition> assign(KafkaConsumer<String, PreparationOutcome> reading) {
        while (!closed) {
            var infos = reading.partitionsFor(TOPIC, Duration.ofSeconds(30));
            if (infos != null && !infos.isEmpty()) {
                List<TopicPartition> all = infos.stream().map(p -> new TopicPartition(TOPIC, p.partition())).toList();
                reading.assign(all);
                reading.seekToBeginning(all);
                ends.partitions(all);
                assigned.complete(null);
                return all;
            }
            problem = "topic " + TOPIC + " does not exist: create it as Topics.java says";
            LOG.warn(problem);
            Utils.sleep(5_000);
        }
        throw new WakeupException();
    }

    private void completeWaiters() {
        List<CompletableFuture<Void>> ready = new ArrayList<>();
        synchronized (waiters) {
            for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
                Waiter waiter = it.next();
                if (waiter.until().entrySet().stream()
                        .allMatch(end -> positions.getOrDefault(end.getKey(), -1L) >= end.getValue())) {
                    ready.add(waiter.done());
                    it.remove();
                }
            }
        }
        ready.forEach(done -> done.complete(null));
    }

    @PreDestroy
    public synchronized void close() {
        closed = true;
        KafkaConsumer<String, PreparationOutcome> reading = consumer;
        if (reading != null) {
            reading.wakeup();
        }
        try {
            reader.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ends.close();
        assigned.completeExceptionally(new IllegalStateException("closed"));
        synchronized (waiters) {
            waiters.forEach(w -> w.done().completeExceptionally(new IllegalStateException("closed")));
            waiters.clear();
        }
    }

    /**
     * Decodes manifests and preparation failures; every other record (a shard, a tokenizer chunk) is skipped by its
     * type header, its bytes not even copied out of the fetch buffer.
     */
    static final class OutcomeOnly implements Deserializer<PreparationOutcome> {
        @Override
        public PreparationOutcome deserialize(String topic, byte[] data) {
            return null; // no headers: a shard
        }

        @Override
        public PreparationOutcome deserialize(String topic, Headers headers, ByteBuffer data) {
            Header type = headers == null ? null : headers.lastHeader(Topics.HEADER_TYPE);
            if (type == null || data == null) {
                return null;
            }
            String kind = new String(type.value(), StandardCharsets.UTF_8);
            Class<? extends PreparationOutcome> outcome = ShardManifest.RECORD_TYPE.equals(kind) ? ShardManifest.class
                    : PreparationFailed.RECORD_TYPE.equals(kind) ? PreparationFailed.class : null;
            if (outcome == null) {
                return null;
            }
            try {
                return Json.read(StandardCharsets.UTF_8.decode(data.duplicate()).toString(), outcome);
            } catch (RuntimeException e) {
                LOG.warnf("skipped an unreadable %s on %s: %s", kind, topic, e.getMessage());
                return null;
            }
        }

        @Override
        public PreparationOutcome deserialize(String topic, Headers headers, byte[] data) {
            return data == null ? null : deserialize(topic, headers, ByteBuffer.wrap(data));
        }
    }
}

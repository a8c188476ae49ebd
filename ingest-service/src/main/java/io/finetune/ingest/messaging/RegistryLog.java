package io.finetune.ingest.messaging;

import io.finetune.contracts.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The registry topic as a replicated log: appends events, and reads every partition from the beginning and then
 * for ever, handing each event to a listener in offset order. Not a consumer group: every replica reads everything.
 * A dataset's events all go to one partition (chosen by its name), so whoever reads them sees them in one order.
 */
public final class RegistryLog implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RegistryLog.class);

    /** @param json the event, or null for a tombstone */
    public interface Listener {
        void apply(String key, String type, String json);
    }

    private record Waiter(int partition, long offset, CompletableFuture<Void> done) {
    }

    private final String topic;
    private final Listener listener;
    private final KafkaProducer<String, String> producer;
    private final KafkaConsumer<String, String> consumer;
    private final Thread tail;
    private final CountDownLatch loaded = new CountDownLatch(1);
    private final Map<Integer, Long> positions = new ConcurrentHashMap<>();
    private final List<Waiter> waiters = new ArrayList<>();
    private final EndOffsets ends;
    private volatile int partitions;
    private volatile String problem = "not read yet";
    private volatile boolean closed;

    /** @param kafkaConfig client settings (bootstrap.servers and any security settings) */
    public RegistryLog(Map<String, Object> kafkaConfig, String topic, Listener listener) {
        this.topic = topic;
        this.listener = listener;
        Properties producerProps = new Properties();
        producerProps.putAll(kafkaConfig);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        this.producer = new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer());
        Properties consumerProps = new Properties();
        consumerProps.putAll(kafkaConfig);
        consumerProps.remove(ConsumerConfig.GROUP_ID_CONFIG);
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer());
        this.ends = new EndOffsets(kafkaConfig, "ingest-registry-ends", Duration.ofSeconds(30));
        this.tail = new Thread(this::run, "ingest-registry-tail");
        this.tail.setDaemon(true);
    }

    public static RegistryLog of(Map<String, Object> kafkaConfig, Listener listener) {
        return new RegistryLog(kafkaConfig, Topics.DATASET_REGISTRY, listener);
    }

    public synchronized void start() {
        if (!closed && !tail.isAlive()) {
            tail.start();
        }
    }

    /** True once every event that was in the topic at start-up has been handed to the listener. */
    public boolean isLoaded() {
        return loaded.getCount() == 0;
    }

    /** Why the log is not loaded (yet), for the readiness check. */
    public String problem() {
        return problem;
    }

    public void awaitLoaded(Duration limit) {
        try {
            if (!loaded.await(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the dataset registry (" + topic + ") was not read within " + limit
                        + ": " + problem);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the dataset registry", e);
        }
    }

    /** Completes with the event's place in the log once Kafka acknowledged it; value null writes a tombstone. */
    public CompletableFuture<RecordMetadata> append(String dataset, String key, String type, String value) {
        CompletableFuture<RecordMetadata> done = new CompletableFuture<>();
        try {
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, partitionOf(dataset), key, value);
            record.headers().add(Topics.HEADER_TYPE, type.getBytes(StandardCharsets.UTF_8));
            producer.send(record, (metadata, error) -> {
                if (error == null) {
                    done.complete(metadata);
                } else {
                    done.completeExceptionally(error);
                }
            });
        } catch (RuntimeException e) { // not read yet, or closed: the caller's future says so
            done.completeExceptionally(e);
        }
        return done;
    }

    /** Completes once the listener has been handed every event up to and including the one at {@code at}. */
    public CompletableFuture<Void> readPast(RecordMetadata at) {
        return readPast(at.partition(), at.offset());
    }

    /**
     * Completes once the listener has been handed every event of the dataset's partition that Kafka acknowledged
     * before this call: the end offset is asked of the broker after the call, and read up to. An event whose append
     * was acknowledged before the call is below that end offset (the end offset is the high watermark, which an
     * acks=all append has passed when it is acknowledged, and which never goes back, even over a leader change).
     */
    public CompletableFuture<Void> catchUp(String dataset) {
        int partition;
        try {
            partition = partitionOf(dataset);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return ends.next().thenCompose(end -> {
            Long next = end.get(new TopicPartition(topic, partition));
            return next == null || next == 0 ? CompletableFuture.completedFuture(null)
                    : readPast(partition, next - 1);
        });
    }

    private CompletableFuture<Void> readPast(int partition, long offset) {
        Waiter waiter = new Waiter(partition, offset, new CompletableFuture<>());
        synchronized (waiters) {
            waiters.add(waiter);
        }
        completeWaiters();
        return waiter.done();
    }

    private int partitionOf(String dataset) {
        int count = partitions;
        if (count == 0) {
            throw new IllegalStateException("the dataset registry (" + topic + ") is not read yet: " + problem);
        }
        return Utils.toPositive(Utils.murmur2(dataset.getBytes(StandardCharsets.UTF_8))) % count;
    }

    private void run() {
        try {
            Map<TopicPartition, Long> loadedAt = assign();
            while (!closed) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    hand(record);
                }
                for (TopicPartition partition : consumer.assignment()) {
                    positions.put(partition.partition(), consumer.position(partition));
                }
                completeWaiters();
                if (loadedAt != null && loadedAt.entrySet().stream()
                        .allMatch(end -> positions.get(end.getKey().partition()) >= end.getValue())) {
                    problem = null;
                    loaded.countDown();
                    loadedAt = null;
                }
            }
        } catch (WakeupException e) {
            if (!closed) {
                problem = "stopped: " + e;
            }
        } catch (RuntimeException e) {
            problem = "stopped reading " + topic + ": " + e;
            LOG.errorf(e, "the dataset registry stopped reading %s", topic);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Assigns every partition from its start; waits (and says why) while the topic does not exist. */
    private Map<TopicPartition, Long> assign() {
        while (!closed) {
            var infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos != null && !infos.isEmpty()) {
                List<TopicPartition> all = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
                consumer.assign(all);
                consumer.seekToBeginning(all);
                partitions = all.size();
                ends.partitions(all);
                return consumer.endOffsets(all);
            }
            problem = "topic " + topic + " does not exist: create it as Topics.java says";
            LOG.warn(problem);
            Utils.sleep(5_000);
        }
        throw new WakeupException();
    }

    private void hand(ConsumerRecord<String, String> record) {
        Header type = record.headers().lastHeader(Topics.HEADER_TYPE);
        try {
            listener.apply(record.key(), type == null ? "" : new String(type.value(), StandardCharsets.UTF_8),
                    record.value());
        } catch (RuntimeException e) {
            // A newer writer's event or a hand-written one: the rest of the registry still counts.
            LOG.warnf("skipped registry event %s@%d (key %s): %s", topic, record.offset(), record.key(), e.getMessage());
        }
    }

    private void completeWaiters() {
        List<CompletableFuture<Void>> ready = new ArrayList<>();
        synchronized (waiters) {
            for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
                Waiter waiter = it.next();
                if (positions.getOrDefault(waiter.partition(), -1L) > waiter.offset()) {
                    ready.add(waiter.done());
                    it.remove();
                }
            }
        }
        ready.forEach(done -> done.complete(null));
    }

    @Override
    public synchronized void close() {
        closed = true;
        consumer.wakeup();
        try {
            if (tail.getState() == Thread.State.NEW) {
                consumer.close(Duration.ZERO);
            }
            tail.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
        ends.close();
        synchronized (waiters) {
            waiters.forEach(w -> w.done().completeExceptionally(new IllegalStateException("registry closed")));
            waiters.clear();
        }
    }
}

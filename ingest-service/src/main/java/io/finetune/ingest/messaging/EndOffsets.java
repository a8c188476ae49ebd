package io.finetune.ingest.messaging;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A topic's end offsets, asked of the broker after the caller asked: what a read-your-writes lookup waits for. Callers
 * that ask while a request is in flight share the next one, so a burst of lookups costs one round trip, not one each.
 * Its own consumer (no group), on its own thread: a topic's reader thread owns its consumer and cannot be asked.
 */
final class EndOffsets implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final ExecutorService thread;
    private final Duration timeout;
    private final List<CompletableFuture<Map<TopicPartition, Long>>> asked = new ArrayList<>();
    private boolean fetching;
    private volatile Collection<TopicPartition> partitions = List.of();

    EndOffsets(Map<String, Object> kafkaConfig, String name, Duration timeout) {
        Properties props = new Properties();
        props.putAll(kafkaConfig);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.timeout = timeout;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** The partitions to ask about: set by the topic's reader once it has assigned them. */
    void partitions(Collection<TopicPartition> all) {
        partitions = List.copyOf(all);
    }

    /** Completes with the end offsets of every partition, as the broker gave them after this call. */
    CompletableFuture<Map<TopicPartition, Long>> next() {
        CompletableFuture<Map<TopicPartition, Long>> answer = new CompletableFuture<>();
        synchronized (asked) {
            asked.add(answer);
            if (!fetching) {
                fetching = true;
                try {
                    thread.execute(this::fetch);
                } catch (RuntimeException e) { // closed
                    fetching = false;
                    asked.remove(answer);
                    answer.completeExceptionally(e);
                }
            }
        }
        return answer;
    }

    private void fetch() {
        while (true) {
            List<CompletableFuture<Map<TopicPartition, Long>>> batch;
            synchronized (asked) {
                if (asked.isEmpty()) {
                    fetching = false;
                    return;
                }
                batch = new ArrayList<>(asked);
                asked.clear();
            }
            // Asked after every caller of this batch asked: offsets at least as far as each caller needs.
            try {
                Collection<TopicPartition> all = partitions;
                if (!consumer.assignment().equals(java.util.Set.copyOf(all))) {
                    // Never polled: assigned only so that the client does not warn, at each request, that it got
                    // offsets of partitions it does not hold.
                    consumer.assign(all);
                }
                Map<TopicPartition, Long> ends = consumer.endOffsets(all, timeout);
                batch.forEach(answer -> answer.complete(ends));
            } catch (RuntimeException e) {
                batch.forEach(answer -> answer.completeExceptionally(e));
            }
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close(Duration.ofSeconds(1));
        synchronized (asked) {
            asked.forEach(answer -> answer.completeExceptionally(new IllegalStateException("closed")));
            asked.clear();
        }
    }
}

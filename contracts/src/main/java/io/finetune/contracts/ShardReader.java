package io.finetune.contracts;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Reads a prepared dataset straight from {@link Topics#SHARDS}: the topic is the source of truth, so a trainer or
 * evaluator that lost its disk (a rescheduled pod) still finds every dataset.
 *
 * <p>A dataset's records all lie on one partition ({@link DatasetPartition}), and only that one is read. The reader
 * keeps an index of each partition it has read ({@link PartitionIndex}: per dataset its newest manifest, its newest
 * outcome and the offsets of each build, never shard data). A lookup first reads what was appended to the partition
 * since the previous lookup, up to the partition's current end, then answers from the index: a manifest or outcome
 * costs no further read, a dataset's build is assembled from that build's offset range alone. So keep one reader per
 * service (a CDI singleton): a new reader reads the dataset's partition from its start once, at its first lookup.
 * Safe for concurrent use: lookups of one partition catch its index up one at a time, then read their ranges side by
 * side, each on a consumer of its own (no consumer group, no committed offsets), read_committed.
 *
 * <p>A build is its manifest plus the shards and tokenizer chunks of that build: the shard count is checked against
 * the manifest, a redelivered shard counts once, the tokenizer files (a vocabulary built from the dataset) are joined
 * and verified. A {@link PreparationFailed} holds no data.
 */
public final class ShardReader {
    private static final Duration POLL = Duration.ofMillis(500);

    private final Map<String, Object> kafkaConfig;
    private final Map<Integer, PartitionIndex> indexes = new ConcurrentHashMap<>();
    /** The topic's partition count as first seen: it decides where each dataset is, so it must not change. */
    private final AtomicInteger partitions = new AtomicInteger();
    private final LongAdder fetched = new LongAdder();

    /**
     * @param kafkaConfig client settings: bootstrap.servers and the same security settings the service's channels
     *                    get (a Quarkus service passes its {@code default-kafka-broker} map). They hold credentials:
     *                    never print them; Kafka's own configuration log masks them.
     */
    public ShardReader(Map<String, Object> kafkaConfig) {
        this.kafkaConfig = kafkaConfig;
    }

    /** The dataset's newest complete build, or empty when no manifest for it exists yet. */
    public Optional<DatasetShards> read(String dataset) {
        try (Lookup lookup = new Lookup(dataset)) {
            return lookup.indexed(index -> index.newestManifest(dataset)
                            .map(manifest -> Map.entry(manifest.build(), index.build(dataset, manifest.build())
                                    .orElseThrow())))
                    .map(newest -> lookup.readBuild(newest.getKey(), newest.getValue()));
        }
    }

    /**
     * That build of the dataset, even when a newer one was published since: its manifest (the newest one of that
     * build), its shards and tokenizer archive, checked as {@link #read(String)} checks them. Empty when the topic
     * holds no manifest of that build.
     */
    public Optional<DatasetShards> read(String dataset, String build) {
        Objects.requireNonNull(build, "build");
        try (Lookup lookup = new Lookup(dataset)) {
            return lookup.indexed(index -> index.build(dataset, build)).map(range -> lookup.readBuild(build, range));
        }
    }

    /** The dataset's newest manifest without reading any shard: what a status page needs. */
    public Optional<ShardManifest> latestManifest(String dataset) {
        try (Lookup lookup = new Lookup(dataset)) {
            return lookup.indexed(index -> index.newestManifest(dataset));
        }
    }

    /**
     * What preprocess last published of the dataset: its newest manifest, or a {@link PreparationFailed} published
     * after it; empty while preprocess has said nothing.
     */
    public Optional<PreparationOutcome> latestOutcome(String dataset) {
        try (Lookup lookup = new Lookup(dataset)) {
            return lookup.indexed(index -> index.newestOutcome(dataset));
        }
    }

    /**
     * Records this reader has fetched from the shards topic since it was made, every partition and dataset together:
     * what its lookups cost. Grows with what is published and with the builds read, not with the number of lookups.
     */
    public long recordsFetched() {
        return fetched.sum();
    }

    /** One lookup of one dataset: a consumer assigned to the dataset's partition, closed when the lookup ends. */
    private final class Lookup implements AutoCloseable {
        private final String dataset;
        private final ShardsTopicValue.Reading values = new ShardsTopicValue.Reading();
        private final KafkaConsumer<String, ShardsTopicValue> consumer;
        /** Null when the topic does not exist (yet): then no dataset is prepared. */
        private final TopicPartition partition;

        Lookup(String dataset) {
            this.dataset = Objects.requireNonNull(dataset, "dataset");
            this.consumer = new KafkaConsumer<>(consumerProperties(), new StringDeserializer(), values);
            try {
                List<PartitionInfo> infos = consumer.partitionsFor(Topics.SHARDS);
                this.partition = infos == null || infos.isEmpty() ? null
                        : new TopicPartition(Topics.SHARDS, DatasetPartition.of(dataset, partitionCount(infos.size())));
                if (partition != null) {
                    consumer.assign(List.of(partition));
                }
            } catch (RuntimeException e) {
                consumer.close();
                throw e;
            }
        }

        /** Catches the partition's index up to the partition's current end, then asks it; empty without a topic. */
        <T> Optional<T> indexed(Function<PartitionIndex, Optional<T>> question) {
            if (partition == null) {
                return Optional.empty();
            }
            PartitionIndex index = indexes.computeIfAbsent(partition.partition(), p -> new PartitionIndex());
            synchronized (index) {
                catchUp(index);
                return question.apply(index);
            }
        }

        private void catchUp(PartitionIndex index) {
            long start = consumer.beginningOffsets(List.of(partition)).get(partition);
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            if (index.next() < start || index.next() > end) {
                index.restartAt(start); // first lookup, or the topic was made anew: read the partition from its start
            }
            if (index.next() >= end) {
                return;
            }
            values.keepBuild(null);
            consumer.seek(partition, index.next());
            while (consumer.position(partition) < end) {
                for (ConsumerRecord<String, ShardsTopicValue> record : poll()) {
                    index.add(record.offset(), record.key(), record.value());
                }
                index.readUpTo(consumer.position(partition));
            }
        }

        /** The build's records, from its first record to its newest manifest, assembled and checked. */
        DatasetShards readBuild(String build, PartitionIndex.BuildRange range) {
            List<Shard> shards = new ArrayList<>();
            Map<Integer, byte[]> tokenizerChunks = new HashMap<>();
            ShardManifest manifest = null;
            values.keepBuild(build);
            consumer.seek(partition, range.first());
            while (consumer.position(partition) <= range.manifest()) {
                for (ConsumerRecord<String, ShardsTopicValue> record : poll()) {
                    ShardsTopicValue value = record.value();
                    if (record.offset() > range.manifest() || !dataset.equals(record.key()) || value == null) {
                        continue;
                    }
                    if (value.isShard() && value.payload() != null) {
                        Shard shard = ShardCodec.decode(value.payload()); // an unreadable shard of the build fails here
                        if (build.equals(shard.build())) {
                            shards.add(shard);
                        }
                    } else if (value.isTokenizerChunk() && value.payload() != null) {
                        ShardManifest.TokenizerArchive.Chunk chunk =
                                ShardManifest.TokenizerArchive.decode(value.payload());
                        tokenizerChunks.put(chunk.index(), chunk.data());
                    } else if (record.offset() == range.manifest()
                            && value.outcome() instanceof ShardManifest found) {
                        manifest = found;
                    }
                }
            }
            if (manifest == null || !build.equals(manifest.build())) {
                throw new IllegalStateException("dataset " + dataset + " build " + build + ": no manifest at offset "
                        + range.manifest() + " of " + partition + " any more; was the topic made anew?");
            }
            byte[] tokenizer = manifest.tokenizerArchive() == null ? null : manifest.tokenizerArchive().join(
                    tokenizerChunks, "dataset " + dataset + " build " + build);
            return assemble(manifest, shards, tokenizer);
        }

        private ConsumerRecords<String, ShardsTopicValue> poll() {
            ConsumerRecords<String, ShardsTopicValue> records = consumer.poll(POLL);
            fetched.add(records.count());
            return records;
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    private int partitionCount(int seen) {
        int known = partitions.compareAndExchange(0, seen);
        if (known != 0 && known != seen) {
            throw new IllegalStateException(Topics.SHARDS + " had " + known + " partitions and now has " + seen
                    + ": each dataset's records are on the partition its name gave with " + known + "; a dataset"
                    + " published since may be on another. The topic's partition count must never change"
                    + " (docs/topics.md); restore it, or prepare the datasets again on a new topic");
        }
        return seen;
    }

    private static DatasetShards assemble(ShardManifest manifest, List<Shard> shards, byte[] tokenizer) {
        Map<String, Shard> unique = new LinkedHashMap<>(); // a redelivered shard appears twice; keep one
        shards.stream().sorted(Comparator.comparing(Shard::split).thenComparingInt(Shard::index))
                .forEach(s -> unique.putIfAbsent(s.split() + "/" + s.index(), s));
        int expected = manifest.shards().values().stream().mapToInt(Integer::intValue).sum();
        if (unique.size() != expected) {
            throw new IllegalStateException("dataset " + manifest.dataset() + " build " + manifest.build()
                    + ": manifest lists " + expected + " shards but the topic holds " + unique.size());
        }
        Map<String, List<TokenizedExample>> splits = new LinkedHashMap<>();
        for (Shard shard : unique.values()) {
            splits.computeIfAbsent(shard.split(), s -> new ArrayList<>()).addAll(shard.examples());
        }
        return new DatasetShards(manifest, splits, tokenizer);
    }

    private Properties consumerProperties() {
        Properties props = new Properties();
        props.putAll(kafkaConfig);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // Never jump silently: every seek is to an offset the partition holds (checked against its start and end).
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(2 * 1024 * 1024));
        return props;
    }
}

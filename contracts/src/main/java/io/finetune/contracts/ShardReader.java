package io.finetune.contracts;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Reads a prepared dataset straight from {@link Topics#SHARDS}: the topic is the source of truth, so a trainer or
 * evaluator that lost its disk (a rescheduled pod) still finds every dataset. Reads each partition from its start to
 * its current end without joining a consumer group, keeps the newest manifest of the dataset (or that of the build
 * asked for) and the shards of that build, and checks the count against the manifest. Where the manifest references
 * tokenizer files (a vocabulary built from the dataset), their chunks are joined and verified too. A
 * {@link PreparationFailed} on the topic holds no data.
 */
public final class ShardReader {
    private static final String SHARD = "shard";
    private final Map<String, Object> kafkaConfig;

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
        return readNewest(dataset, manifest -> true);
    }

    /**
     * Exactly this build of the dataset (its manifest, its shards, its tokenizer archive), however many builds came
     * after it: what a job pinned to a build trains on, and what a checkpoint is evaluated on. Empty when the topic
     * holds no manifest of that build.
     */
    public Optional<DatasetShards> read(String dataset, String build) {
        return readNewest(dataset, manifest -> build.equals(manifest.build()));
    }

    /** The newest build of the dataset whose manifest {@code wanted} accepts, read in one scan of the topic. */
    private Optional<DatasetShards> readNewest(String dataset, java.util.function.Predicate<ShardManifest> wanted) {
        Map<String, List<Shard>> shardsByBuild = new HashMap<>();
        Map<String, Map<Integer, byte[]>> tokenizerChunksByBuild = new HashMap<>();
        ShardManifest[] newest = new ShardManifest[1];
        scan(dataset, (type, record) -> {
            if (ShardManifest.RECORD_TYPE.equals(type)) {
                ShardManifest manifest = read(record, ShardManifest.class);
                if (wanted.test(manifest)) {
                    newest[0] = manifest;
                }
            } else if (ShardManifest.TokenizerArchive.RECORD_TYPE.equals(type)) {
                ShardManifest.TokenizerArchive.Chunk chunk = ShardManifest.TokenizerArchive.decode(record.value());
                tokenizerChunksByBuild.computeIfAbsent(chunk.build(), b -> new HashMap<>())
                        .put(chunk.index(), chunk.data());
            } else if (SHARD.equals(type)) {
                Shard shard = ShardCodec.decode(record.value());
                shardsByBuild.computeIfAbsent(shard.build(), b -> new ArrayList<>()).add(shard);
            } // else a failed preparation: no data to read
        });
        ShardManifest manifest = newest[0];
        if (manifest == null) {
            return Optional.empty();
        }
        byte[] tokenizer = manifest.tokenizerArchive() == null ? null : manifest.tokenizerArchive().join(
                tokenizerChunksByBuild.getOrDefault(manifest.build(), Map.of()),
                "dataset " + manifest.dataset() + " build " + manifest.build());
        return Optional.of(assemble(manifest, shardsByBuild.getOrDefault(manifest.build(), List.of()), tokenizer));
    }

    /**
     * The dataset's newest manifest without decoding any shard: what a status page needs. Still reads the topic
     * from the start, so callers that ask repeatedly should keep the answer (a build's manifest never changes).
     */
    public Optional<ShardManifest> latestManifest(String dataset) {
        ShardManifest[] newest = new ShardManifest[1];
        scan(dataset, (type, record) -> {
            if (ShardManifest.RECORD_TYPE.equals(type)) {
                newest[0] = read(record, ShardManifest.class);
            }
        });
        return Optional.ofNullable(newest[0]);
    }

    /**
     * What preprocess last published of the dataset: its newest manifest, or a {@link PreparationFailed} published
     * after it; empty while preprocess has said nothing. Reads the topic from the start, as {@link #latestManifest}.
     */
    public Optional<PreparationOutcome> latestOutcome(String dataset) {
        PreparationOutcome[] newest = new PreparationOutcome[1];
        scan(dataset, (type, record) -> {
            if (ShardManifest.RECORD_TYPE.equals(type)) {
                newest[0] = read(record, ShardManifest.class);
            } else if (PreparationFailed.RECORD_TYPE.equals(type)) {
                newest[0] = read(record, PreparationFailed.class);
            }
        });
        return Optional.ofNullable(newest[0]);
    }

    private static <T> T read(ConsumerRecord<String, byte[]> record, Class<T> type) {
        return Json.read(new String(record.value(), StandardCharsets.UTF_8), type);
    }

    /** Hands every record of the dataset on the shards topic, with its type, to {@code sink}, in offset order. */
    private void scan(String dataset, java.util.function.BiConsumer<String, ConsumerRecord<String, byte[]>> sink) {
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.SHARDS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (dataset.equals(record.key())) {
                        sink.accept(type(record), record);
                    }
                }
            }
        }
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

    private static String type(ConsumerRecord<String, byte[]> record) {
        Header header = record.headers().lastHeader(Topics.HEADER_TYPE);
        return header == null ? SHARD : new String(header.value(), StandardCharsets.UTF_8);
    }

    private KafkaConsumer<String, byte[]> consumer() {
        Properties props = new Properties();
        props.putAll(kafkaConfig);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(2 * 1024 * 1024));
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }
}

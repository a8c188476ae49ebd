package io.finetune.kafka.local;

import io.finetune.contracts.DatasetPartition;
import io.finetune.contracts.DatasetShards;
import io.finetune.contracts.Json;
import io.finetune.contracts.PreparationFailed;
import io.finetune.contracts.PreparationOutcome;
import io.finetune.contracts.Shard;
import io.finetune.contracts.ShardCodec;
import io.finetune.contracts.ShardManifest;
import io.finetune.contracts.ShardReader;
import io.finetune.contracts.TokenizedExample;
import io.finetune.contracts.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ShardReader} on a real broker, the shards topic published as preprocess publishes it (key = dataset, Kafka's
 * default partitioner, acks=all, idempotent): a lookup reads only the dataset's partition, and only what was appended
 * since the previous lookup; a build is read from its own offset range.
 */
class ShardReaderTest {
    private static final int PARTITIONS = Topics.all().stream().filter(t -> t.name().equals(Topics.SHARDS))
            .findFirst().orElseThrow().partitions();
    @TempDir
    static Path data;
    private static LocalKafka kafka;
    private static KafkaProducer<String, byte[]> producer;

    @BeforeAll
    static void start() {
        kafka = LocalKafka.onFreePort(data).start().ensureTopics();
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true"),
                new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stop() {
        producer.close();
        kafka.stop();
    }

    private static ShardReader reader() {
        return new ShardReader(Map.of("bootstrap.servers", kafka.bootstrapServers()));
    }

    /** A dataset name starting with {@code prefix} whose records go to {@code partition}. */
    private static String datasetOn(String prefix, int partition) {
        return IntStream.range(0, 1000).mapToObj(i -> prefix + "-" + i)
                .filter(name -> DatasetPartition.of(name, PARTITIONS) == partition).findFirst().orElseThrow();
    }

    /** Records on the dataset's partition so far: what a reader that never read it must fetch once. */
    private static long recordsOnPartitionOf(String dataset) {
        TopicPartition partition = new TopicPartition(Topics.SHARDS, DatasetPartition.of(dataset, PARTITIONS));
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
                kafka.bootstrapServers()), new StringDeserializer(), new ByteArrayDeserializer())) {
            return consumer.endOffsets(List.of(partition)).get(partition);
        }
    }

    /** Sends one record as preprocess's PipelineOutput does, and checks it landed on the dataset's partition. */
    private static void send(String dataset, String type, byte[] value) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.SHARDS, dataset, value);
        record.headers().add(Topics.HEADER_TYPE, type.getBytes(StandardCharsets.UTF_8));
        try {
            assertThat(producer.send(record).get().partition()).as("partition of " + dataset)
                    .isEqualTo(DatasetPartition.of(dataset, PARTITIONS));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Shard shard(String dataset, String build, int index) {
        return new Shard(dataset, build, "train", index, List.of(
                new TokenizedExample(build + "-" + index + "-a", 0, new int[]{2, 100 + index, 3}),
                new TokenizedExample(build + "-" + index + "-b", 1, new int[]{2, 200 + index, 3})));
    }

    /**
     * Publishes a build of {@code shards} shards (the first one twice, as a redelivery leaves it), its tokenizer
     * chunks when {@code tokenizer} is given, then its manifest: {@code shards + 2} records plus the chunks.
     */
    private static ShardManifest publish(String dataset, String build, int shards, byte[] tokenizer) {
        if (tokenizer != null) {
            ShardManifest.TokenizerArchive.encode(build, tokenizer)
                    .forEach(chunk -> send(dataset, ShardManifest.TokenizerArchive.RECORD_TYPE, chunk));
        }
        for (int i = 0; i < shards; i++) {
            send(dataset, "shard", ShardCodec.encode(shard(dataset, build, i)));
        }
        send(dataset, "shard", ShardCodec.encode(shard(dataset, build, 0))); // redelivered
        ShardManifest manifest = new ShardManifest(ShardManifest.VERSION, dataset, build, List.of("neg", "pos"),
                Map.of("train", shards), Map.of("train", Map.of("neg", shards, "pos", shards)), "tok-" + build,
                "distilbert-tiny", 16, "cfg-" + build, null,
                tokenizer == null ? null : ShardManifest.TokenizerArchive.of(tokenizer));
        send(dataset, ShardManifest.RECORD_TYPE, Json.write(manifest).getBytes(StandardCharsets.UTF_8));
        return manifest;
    }

    private static List<String> ids(DatasetShards shards) {
        return shards.split("train").stream().map(TokenizedExample::id).toList();
    }

    @Test
    void aLookupFetchesOnlyItsDatasetsPartitionAndOnlyWhatWasAppendedSinceTheLastOne() {
        String a = datasetOn("index-a", 0);
        String b = datasetOn("index-b", 1);
        publish(b, "b-1", 5, null); // 7 records on the other partition
        ShardManifest first = publish(a, "a-1", 3, null); // 5 records
        ShardReader reader = reader();

        assertThat(reader.latestManifest(a)).contains(first);
        assertThat(reader.recordsFetched()).as("the first lookup reads a's partition once, nothing of b's")
                .isEqualTo(recordsOnPartitionOf(a));

        long before = reader.recordsFetched();
        assertThat(reader.latestManifest(a)).contains(first);
        assertThat(reader.latestOutcome(a)).contains(first);
        assertThat(reader.recordsFetched() - before).as("nothing new was published").isZero();

        before = reader.recordsFetched();
        DatasetShards read = reader.read(a).orElseThrow();
        assertThat(read.manifest()).isEqualTo(first);
        assertThat(ids(read)).as("the redelivered shard counts once")
                .containsExactly("a-1-0-a", "a-1-0-b", "a-1-1-a", "a-1-1-b", "a-1-2-a", "a-1-2-b");
        assertThat(reader.recordsFetched() - before).as("the build's range: its 4 shards and its manifest")
                .isEqualTo(5);

        // Sealed again: a new build replaces the older as the newest.
        ShardManifest second = publish(a, "a-2", 2, null); // 4 records
        before = reader.recordsFetched();
        assertThat(reader.latestManifest(a)).contains(second);
        assertThat(reader.recordsFetched() - before).as("only the records appended since").isEqualTo(4);

        before = reader.recordsFetched();
        assertThat(reader.read(a).orElseThrow().manifest()).isEqualTo(second);
        assertThat(reader.recordsFetched() - before).as("only the newest build's range").isEqualTo(4);

        before = reader.recordsFetched();
        DatasetShards older = reader.read(a, "a-1").orElseThrow();
        assertThat(older.manifest()).isEqualTo(first);
        assertThat(older.splits()).isEqualTo(read.splits());
        assertThat(reader.recordsFetched() - before).as("a-1's range, and at most what one fetch brings behind it")
                .isBetween(5L, 9L);
        assertThat(reader.read(a, "a-3")).isEmpty();
        assertThat(reader.read(datasetOn("index-never", 0))).isEmpty();

        // A failed seal after the first lookup: the next lookup sees it; the newest manifest stays a-2.
        PreparationFailed failed = PreparationFailed.of(a, 3, "too-few-classes", "only one label");
        send(a, PreparationFailed.RECORD_TYPE, Json.write(failed).getBytes(StandardCharsets.UTF_8));
        Optional<PreparationOutcome> outcome = reader.latestOutcome(a);
        assertThat(outcome).get().isInstanceOf(PreparationFailed.class);
        assertThat(((PreparationFailed) outcome.get()).reason()).isEqualTo("too-few-classes");
        assertThat(reader.latestManifest(a)).contains(second);
        assertThat(reader.read(a).orElseThrow().manifest()).isEqualTo(second);

        before = reader.recordsFetched();
        assertThat(reader.latestManifest(b).map(ShardManifest::build)).contains("b-1");
        assertThat(reader.recordsFetched() - before).as("b's partition, read once")
                .isEqualTo(recordsOnPartitionOf(b));
    }

    @Test
    void theTokenizerArchiveOfTheBuildReadIsJoinedAndVerified() {
        String dataset = datasetOn("vocab", 2);
        Random random = new Random(7);
        byte[] older = new byte[1_000_000]; // two chunks each
        byte[] newer = new byte[1_200_000];
        random.nextBytes(older);
        random.nextBytes(newer);
        publish(dataset, "v-1", 2, older);
        publish(dataset, "v-2", 2, newer);
        ShardReader reader = reader();

        assertThat(reader.read(dataset).orElseThrow().tokenizerArchive()).isEqualTo(newer);
        assertThat(reader.read(dataset, "v-1").orElseThrow().tokenizerArchive()).isEqualTo(older);
    }

    @Test
    void concurrentLookupsShareOneIndexThatReadsThePartitionOnce() throws Exception {
        String dataset = datasetOn("shared", 1);
        ShardManifest manifest = publish(dataset, "s-1", 4, null);
        ShardReader reader = reader();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<Optional<ShardManifest>>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(threads.submit(() -> reader.latestManifest(dataset)));
            }
            for (Future<Optional<ShardManifest>> answer : answers) {
                assertThat(answer.get()).contains(manifest);
            }
        } finally {
            threads.shutdown();
        }
        assertThat(reader.recordsFetched()).isEqualTo(recordsOnPartitionOf(dataset));
    }

    @Test
    void refusesToAnswerOnceTheTopicsPartitionCountChanged(@TempDir Path own) throws Exception {
        // On a broker of its own: the other tests' topic keeps its partitions.
        try (LocalKafka grown = LocalKafka.onFreePort(own).start().ensureTopics()) {
            ShardReader reader = new ShardReader(Map.of("bootstrap.servers", grown.bootstrapServers()));
            assertThat(reader.latestManifest("grown")).isEmpty(); // the reader has seen the count
            try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", grown.bootstrapServers()))) {
                admin.createPartitions(Map.of(Topics.SHARDS, NewPartitions.increaseTo(PARTITIONS + 1))).all().get();
            }
            long deadline = System.nanoTime() + 30_000_000_000L; // until the broker's metadata shows the new count
            Throwable refused = null;
            while (refused == null && System.nanoTime() < deadline) {
                try {
                    reader.latestManifest("grown");
                    Thread.sleep(200);
                } catch (IllegalStateException e) {
                    refused = e;
                }
            }
            assertThat(refused).isNotNull()
                    .hasMessageContaining("had " + PARTITIONS + " partitions and now has " + (PARTITIONS + 1))
                    .hasMessageContaining("must never change");
        }
    }
}

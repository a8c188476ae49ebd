package io.finetune.preprocess;

import io.finetune.contracts.DatasetRecord;
import io.finetune.contracts.DeadLetter;
import io.finetune.contracts.Json;
import io.finetune.contracts.PreprocessOptions;
import io.finetune.contracts.Shard;
import io.finetune.contracts.ShardCodec;
import io.finetune.contracts.ShardManifest;
import io.finetune.contracts.TokenizedExample;
import io.finetune.contracts.Topics;
import io.finetune.kafka.local.LocalKafkaResource;
import io.finetune.kafka.local.TopicTail;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Continuous datasets over a real broker: each END marker ends a version, prepared from every record of the dataset
 * before it, with a test split that only grows; records keep coming behind it. A broker of its own: a continuous
 * dataset holds its partition's committed offset at its first record for good, which other tests' offset checks
 * must not see.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalKafkaResource.class, restrictToAnnotatedClass = true)
class ContinuousDatasetIT {
    private static final PreprocessOptions OPTIONS = new PreprocessOptions(null, 32, null, 0.1, 0.2, 9L);

    private static String bootstrap() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    private static byte[] record(String dataset, int i) {
        String label = i % 2 == 0 ? "pos" : "neg";
        String text = (i % 2 == 0 ? "A wonderful film, review " : "A dreadful film, review ") + i;
        return Json.write(DatasetRecord.record(dataset, String.format("r%04d", i), text, label, null))
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] end(String dataset, long accepted, int version) {
        return Json.write(DatasetRecord.end(dataset, accepted, OPTIONS, version, true))
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Records {@code from} to {@code to} (exclusive) of each dataset, then, if {@code version} > 0, its END marker. */
    private static void send(List<String> datasets, int from, int to, int version) {
        List<String> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        for (String dataset : datasets) {
            for (int i = from; i < to; i++) {
                keys.add(dataset);
                values.add(record(dataset, i));
            }
            if (version > 0) {
                keys.add(dataset);
                values.add(end(dataset, to, version));
            }
        }
        TopicTail.produce(bootstrap(), Topics.DATASET_RECORDS, keys, values);
    }

    /** The manifests of the dataset on the shards topic, in order, once there are at least {@code count}. */
    private static List<ShardManifest> manifests(String dataset, int count) {
        List<ShardManifest> found = new ArrayList<>();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
            found.clear();
            try (TopicTail shards = new TopicTail(bootstrap(), Topics.SHARDS)) {
                shards.poll(Duration.ofSeconds(1)).stream()
                        .filter(r -> dataset.equals(r.key()) && ScaleOutIT.isManifest(r))
                        .forEach(r -> found.add(Json.read(TopicTail.text(r), ShardManifest.class)));
            }
            return found.size() >= count;
        });
        return List.copyOf(found);
    }

    /** Example ids by split of one build, read from the shards topic. */
    private static Map<String, Set<String>> idsBySplit(ShardManifest manifest) {
        Map<String, Set<String>> ids = new TreeMap<>();
        try (TopicTail shards = new TopicTail(bootstrap(), Topics.SHARDS)) {
            for (ConsumerRecord<String, byte[]> r : shards.poll(Duration.ofSeconds(2))) {
                if (!manifest.dataset().equals(r.key()) || !"shard".equals(type(r))) {
                    continue;
                }
                Shard shard = ShardCodec.decode(r.value());
                if (shard.build().equals(manifest.build())) {
                    shard.examples().stream().map(TokenizedExample::id)
                            .forEach(id -> ids.computeIfAbsent(shard.split(), s -> new java.util.TreeSet<>()).add(id));
                }
            }
        }
        return ids;
    }

    private static String type(ConsumerRecord<String, byte[]> record) {
        org.apache.kafka.common.header.Header type = record.headers().lastHeader(Topics.HEADER_TYPE);
        return type == null ? null : new String(type.value(), StandardCharsets.UTF_8);
    }

    private static int examples(ShardManifest manifest) {
        return manifest.counts().values().stream().flatMap(m -> m.values().stream()).mapToInt(Integer::intValue)
                .sum();
    }

    @Test
    void eachVersionIsEveryRecordBeforeItsEndMarkerAndItsTestSplitOnlyGrows() throws Exception {
        String dataset = "continuous-reviews";
        // Version 1, then records behind its END marker (version 2's) sent at once, so they are read while version 1
        // is prepared; a repeat of END marker 1 (ingest sends one again when a crash cut its seal short) among them.
        List<String> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            keys.add(dataset);
            values.add(record(dataset, i));
            if (i == 99) {
                keys.add(dataset);
                values.add(end(dataset, 100, 1));
            }
            if (i == 149) {
                keys.add(dataset);
                values.add(end(dataset, 100, 1));
            }
        }
        TopicTail.produce(bootstrap(), Topics.DATASET_RECORDS, keys, values);
        ShardManifest v1 = manifests(dataset, 1).get(0);
        assertThat(v1.version()).isEqualTo(1);
        assertThat(examples(v1)).isEqualTo(100);
        assertThat(v1.report().steps().get(0).detail()).isEqualTo("all 100 records ingest accepted");

        send(List.of(dataset), 200, 300, 2);
        List<ShardManifest> both = manifests(dataset, 2);
        ShardManifest v2 = both.get(1);
        assertThat(v2.version()).isEqualTo(2);
        assertThat(examples(v2)).as("every record of versions 1 and 2").isEqualTo(300);
        assertThat(v2.report().steps().get(0).detail()).isEqualTo("all 300 records ingest accepted");
        assertThat(v2.build()).isNotEqualTo(v1.build());
        assertThat(v2.configHash()).isEqualTo(v1.configHash());
        assertThat(both.get(0)).as("version 1's manifest, as published").isEqualTo(v1);

        Map<String, Set<String>> ids1 = idsBySplit(v1);
        Map<String, Set<String>> ids2 = idsBySplit(v2);
        assertThat(ids1.values().stream().mapToInt(Set::size).sum()).isEqualTo(100);
        assertThat(ids1.values().stream().flatMap(Set::stream)).allMatch(id -> id.compareTo("r0100") < 0);
        assertThat(ids2.get("test")).as("the test split only grows").containsAll(ids1.get("test"))
                .hasSizeGreaterThan(ids1.get("test").size());
        assertThat(ids2.get("validation")).containsAll(ids1.get("validation"));
        assertThat(ids2.get("train")).containsAll(ids1.get("train"));
        // What the trainer and the evaluator read: the newest version, whole, beside version 1's shards.
        io.finetune.contracts.DatasetShards read = new io.finetune.contracts.ShardReader(
                Map.of("bootstrap.servers", bootstrap())).read(dataset).orElseThrow();
        assertThat(read.manifest()).isEqualTo(v2);
        assertThat(read.splits().values().stream().mapToInt(List::size).sum()).isEqualTo(300);
        assertThat(read.split("test")).extracting(TokenizedExample::id).containsExactlyInAnyOrderElementsOf(
                ids2.get("test"));

        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> manifests(dataset, 2).size() == 2); // the repeated marker prepared nothing
        try (TopicTail letters = new TopicTail(bootstrap(), Topics.DEAD_LETTERS)) {
            assertThat(letters.poll(Duration.ofSeconds(2)).stream()
                    .map(r -> Json.read(TopicTail.text(r), DeadLetter.class))
                    .filter(d -> dataset.equals(d.dataset()))).as("dead letters of the dataset").isEmpty();
        }
        // The dataset's first record holds its partition's committed offset (a next owner reads all of it again),
        // and how far this replica got is committed beside it, though the offset did not move: a next owner does not
        // prepare version 2 again. Before that was committed too, only a revocation committed it.
        String group = ConfigProvider.getConfig().getValue("preprocess.group-id", String.class);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()));
             TopicTail records = new TopicTail(bootstrap(), Topics.DATASET_RECORDS)) {
            List<ConsumerRecord<String, byte[]>> ofDataset = records.pollUntil(r -> dataset.equals(r.key())
                    && TopicTail.text(r).contains("\"seal\":2"), Duration.ofSeconds(10)).stream()
                    .filter(r -> dataset.equals(r.key())).toList();
            long first = ofDataset.get(0).offset();
            long lastEnd = ofDataset.get(ofDataset.size() - 1).offset();
            TopicPartition partition = new TopicPartition(Topics.DATASET_RECORDS, ofDataset.get(0).partition());
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                OffsetAndMetadata committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                        .get().get(partition);
                assertThat(committed).as("committed offset of " + partition).isNotNull();
                assertThat(committed.offset()).isLessThanOrEqualTo(first);
                assertThat(Long.parseLong(committed.metadata().substring("handled-to=".length())))
                        .isGreaterThan(lastEnd);
            });
        }
    }

    /**
     * Version 1 is prepared here; the partitions then move to a second replica (which reads every record again from
     * the first one, and must not prepare version 1 again) while version 2's records arrive, and back when it stops.
     */
    @Test
    void aContinuousDatasetThatMovesBetweenReplicasKeepsEveryVersionExact() throws Exception {
        Path work = Files.createDirectories(Path.of("target/continuous-it")).toAbsolutePath();
        io.finetune.contracts.Directories.delete(work.resolve("second-replica"));
        List<String> datasets = ScaleOutIT.onePerPartition("moving-");
        send(datasets, 0, 100, 1);
        for (String dataset : datasets) {
            assertThat(examples(manifests(dataset, 1).get(0))).isEqualTo(100);
        }

        Process second = ScaleOutIT.startSecondReplica(work, work.resolve("second-replica"));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
            ScaleOutIT.awaitMembers(admin, 2);
            send(datasets, 100, 200, 0);
            Thread.sleep(3000); // let the second replica read its partitions' records
        } finally {
            second.destroy(); // SIGTERM, as a scale-in
            if (!second.waitFor(60, TimeUnit.SECONDS)) {
                second.destroyForcibly();
            }
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
            ScaleOutIT.awaitMembers(admin, 1);
        }
        send(datasets, 200, 300, 2);

        String log = Files.readString(work.resolve("second-replica.log"));
        assertThat(log).as("the second replica took a partition").contains("assigned: reading from offset");
        for (String dataset : datasets) {
            List<ShardManifest> manifests = manifests(dataset, 2);
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                    .until(() -> manifests(dataset, 2).size() == 2);
            assertThat(manifests).extracting(ShardManifest::version).as(dataset).containsExactly(1, 2);
            assertThat(examples(manifests.get(1))).as(dataset).isEqualTo(300);
            assertThat(manifests.get(1).report().steps().get(0).detail()).isEqualTo("all 300 records ingest accepted");
            assertThat(idsBySplit(manifests.get(1)).get("test")).containsAll(idsBySplit(manifests.get(0)).get("test"));
        }
    }
}

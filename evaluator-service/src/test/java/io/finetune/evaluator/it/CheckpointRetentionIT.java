package io.finetune.evaluator.it;

import io.finetune.contracts.CheckpointChunk;
import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.CheckpointPartitioner;
import io.finetune.contracts.Json;
import io.finetune.contracts.ModelArchive;
import io.finetune.contracts.Shard;
import io.finetune.contracts.ShardCodec;
import io.finetune.contracts.ShardManifest;
import io.finetune.contracts.TokenizedExample;
import io.finetune.contracts.Topics;
import io.finetune.distilbert.BundledModels;
import io.finetune.evaluator.retention.CheckpointRetention;
import io.finetune.kafka.local.LocalKafkaResource;
import io.finetune.kafka.local.TopicTail;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Retention of the checkpoints topic over a real broker whose checkpoints topic compacts within seconds: a job's
 * checkpoints are evaluated one by one while one of them is deployed; those nothing needs get tombstones for every
 * chunk key and compaction removes their chunks, while the deployed checkpoint, the job's best (its final one) and a
 * checkpoint still waiting for its evaluation keep every chunk on the topic; the packaged evaluator, started on a
 * copy of the volume as after a crash, releases nothing more.
 */
@QuarkusTest
@WithTestResource(LocalKafkaResource.class)
@TestProfile(CheckpointRetentionIT.KeepOneModel.class)
class CheckpointRetentionIT {
    /** One model kept on the shelf (plus each job's best), so a checkpoint leaves it with the next evaluation. */
    public static class KeepOneModel implements QuarkusTestProfile {
        private static final String DATA_DIR = "target/evaluator-retention-" + UUID.randomUUID();

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("evaluator.keep-models", "1", "evaluator.data-dir", DATA_DIR);
        }
    }

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final List<String> LABELS = List.of("NEGATIVE", "POSITIVE");

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String dataset = "retained-" + run;
    private final String build = "build-" + run;
    private final String job = "job-r-" + run;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    CheckpointRetention retention;

    @TempDir
    Path tmp;

    @Test
    void releasesWhatNothingNeedsAndKeepsTheDeployedTheBestAndTheQueued() throws Exception {
        compactWithinSeconds();
        publishDataset();
        Path model = BundledModels.extract(BundledModels.DEMO_MODEL, tmp.resolve("tiny-model"));

        // Epoch 1 is deployed as soon as it is evaluated; epoch 2 is the best by validation loss, so the final
        // checkpoint holds its weights; epoch 3 is worse. Epochs 1-3 span two chunks each.
        List<CheckpointChunk> epoch1 = chunks(model, "epoch-1", 1, false, 0.50, CheckpointChunk.CHUNK_BYTES);
        List<CheckpointChunk> epoch2 = chunks(model, "epoch-2", 2, false, 0.30, CheckpointChunk.CHUNK_BYTES);
        List<CheckpointChunk> epoch3 = chunks(model, "epoch-3", 3, false, 0.40, CheckpointChunk.CHUNK_BYTES);
        List<CheckpointChunk> last = chunks(model, "final", 2, true, 0.30, 0);
        assertThat(epoch1).hasSize(2);

        send(epoch1);
        awaitEvaluation(id("epoch-1"));
        RestAssured.given().contentType("application/json")
                .body(Map.of("name", "retained-" + run, "checkpoint", id("epoch-1")))
                .post("/deployments").then().statusCode(201);

        send(epoch2);
        awaitEvaluation(id("epoch-2"));
        send(epoch3);
        awaitEvaluation(id("epoch-3"));
        // While the final checkpoint is evaluated, a checkpoint of another job waits in the queue: its reviews (the
        // one after the final's evaluation) must leave it alone.
        List<CheckpointChunk> queued = chunks(model, "other-" + run + "-epoch-1", "other-" + run, 1, false, 0.9, 0);
        send(last);
        send(queued);
        awaitEvaluation(id("final"));
        awaitEvaluation("other-" + run + "-epoch-1");

        Set<String> released = Set.of(id("epoch-2"), id("epoch-3"));
        Set<String> kept = Set.of(id("epoch-1"), id("final"), "other-" + run + "-epoch-1");
        await().atMost(WAIT).until(() -> released.stream().allMatch(retention::released));
        assertThat(kept).noneMatch(retention::released);

        try (TopicTail topic = new TopicTail(bootstrap, Topics.CHECKPOINTS)) {
            List<ConsumerRecord<String, byte[]>> records = topic.poll(Duration.ofSeconds(3));
            Map<String, Set<String>> tombstonesByCheckpoint = new HashMap<>();
            for (ConsumerRecord<String, byte[]> r : records) {
                if (r.value() == null) {
                    String id = CheckpointChunk.checkpointIdOf(r.key());
                    tombstonesByCheckpoint.computeIfAbsent(id, k -> new HashSet<>()).add(r.key());
                    assertThat(r.partition()).as(r.key()).isEqualTo(CheckpointChunk.partitionOf(id, 3));
                    assertThat(new String(r.headers().lastHeader(CheckpointChunk.HEADER_RELEASED).value(),
                            StandardCharsets.UTF_8)).startsWith("evaluator-service: not deployed");
                }
            }
            // Every chunk key of a released checkpoint, and the id alone (the key chunks had before compaction).
            assertThat(tombstonesByCheckpoint.get(id("epoch-2")))
                    .containsExactlyInAnyOrder(id("epoch-2"), id("epoch-2") + "/0", id("epoch-2") + "/1");
            assertThat(tombstonesByCheckpoint.get(id("epoch-3"))).hasSize(3);
            assertThat(tombstonesByCheckpoint.keySet()).doesNotContainAnyElementsOf(kept);
        }

        // A restart reviews everything again with nothing queued in memory: still nothing needed is released.
        retention.review(id -> false);
        assertThat(kept).noneMatch(retention::released);

        // Compaction removes the released chunks and keeps every chunk of the others.
        rollSegments();
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            Map<String, List<Integer>> chunks = chunksOnTopic();
            assertThat(chunks.keySet()).doesNotContainAnyElementsOf(released);
            assertThat(chunks.get(id("epoch-1"))).containsExactly(0, 1);
            assertThat(chunks.get(id("final"))).containsExactly(0);
            assertThat(chunks.get("other-" + run + "-epoch-1")).containsExactly(0);
        });

        restartedEvaluatorReleasesNothingNeeded(released, kept);

        assertThat(metric("finetune_evaluator_checkpoints_total{outcome=\"released\"}")).isGreaterThanOrEqualTo(2);
        long releasedBytes = epoch2.get(0).totalBytes() + epoch3.get(0).totalBytes();
        assertThat(metric("finetune_evaluator_released_bytes_total")).isGreaterThanOrEqualTo(releasedBytes);
        assertThat(metric("finetune_evaluator_chunks_total{outcome=\"tombstone\"}")).isGreaterThanOrEqualTo(6);
        // The evaluator read its own tombstones and skipped them: no dead letter, and the deployment still serves.
        RestAssured.get("/deployments/retained-" + run).then().statusCode(200);
        RestAssured.get("/q/health").then().statusCode(200);
    }

    /**
     * The packaged evaluator started on a copy of this one's volume, as after a crash: its start-up review releases
     * nothing needed, and reading the whole topic again (a consumer group of its own, from the start) changes nothing.
     */
    private void restartedEvaluatorReleasesNothingNeeded(Set<String> released, Set<String> kept) throws Exception {
        Path volume = tmp.resolve("restarted");
        copyTree(Path.of(KeepOneModel.DATA_DIR), volume);
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath();
        assertThat(jar).as("evaluator-service is packaged before its ITs run").isRegularFile();
        int port = io.finetune.kafka.local.LocalKafka.freePort();
        Path log = Path.of("target/checkpoint-retention-it/evaluator.log");
        Files.createDirectories(log.getParent());
        Files.createDirectories(tmp.resolve("java-tmp"));
        Process evaluator = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Dai.djl.offline=true", "-Dai.djl.default_engine=PyTorch",
                "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1",
                "-Djava.io.tmpdir=" + tmp.resolve("java-tmp"), "-Dquarkus.http.port=" + port,
                "-Dkafka.bootstrap.servers=" + bootstrap, "-Devaluator.data-dir=" + volume,
                "-Devaluator.keep-models=1", "-Devaluator.device=cpu", "-Dfinetune.auth.enabled=false",
                "-Dmp.messaging.incoming.checkpoints.group.id=restarted-" + run, "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
        try {
            String url = "http://127.0.0.1:" + port;
            await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
                if (!evaluator.isAlive()) {
                    throw new IllegalStateException("the evaluator exited with " + evaluator.exitValue() + ": "
                            + Files.readString(log));
                }
                try {
                    return get(url, "/q/health/ready").statusCode() == 200;
                } catch (UncheckedIOException notListeningYet) {
                    return false;
                }
            });
            // Every chunk of the kept checkpoints read again and skipped as evaluated, every tombstone skipped.
            await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() ->
                    metric(url, "finetune_evaluator_checkpoints_total{outcome=\"duplicate\"}") >= kept.size()
                            && metric(url, "finetune_evaluator_chunks_total{outcome=\"tombstone\"}") >= 6);
            assertThat(get(url, "/deployments/retained-" + run).statusCode()).isEqualTo(200);
            assertThat(Files.readString(log)).doesNotContain("released checkpoint");
        } finally {
            evaluator.destroy();
            assertThat(evaluator.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
        assertThat(listJson(volume.resolve("retention/released"))).containsExactlyInAnyOrderElementsOf(released);
        assertThat(listJson(volume.resolve("retention/held"))).containsExactlyInAnyOrderElementsOf(kept);
        Map<String, List<Integer>> chunks = chunksOnTopic();
        assertThat(chunks.get(id("epoch-1"))).containsExactly(0, 1);
        assertThat(chunks.get(id("final"))).containsExactly(0);
    }

    private static List<String> listJson(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json"))
                    .map(n -> n.substring(0, n.length() - ".json".length())).toList();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path path : paths.toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target);
                }
            }
        }
    }

    private String id(String name) {
        return job + "-" + name;
    }

    /**
     * This broker's checkpoints topic: new segments every 500 ms, and compaction at most a second after a record
     * (max.compaction.lag.ms: a few tombstones on a partition the cleaner already cleaned are too little dirt for any
     * dirty ratio), so the log cleaner (every 15 s, the broker's default) compacts during the test. Tombstones stay
     * an hour, so the test sees them.
     */
    private void compactWithinSeconds() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, Topics.CHECKPOINTS);
            admin.incrementalAlterConfigs(Map.of(topic, List.of(
                    new AlterConfigOp(new ConfigEntry("segment.ms", "500"), AlterConfigOp.OpType.SET),
                    new AlterConfigOp(new ConfigEntry("min.cleanable.dirty.ratio", "0.01"), AlterConfigOp.OpType.SET),
                    new AlterConfigOp(new ConfigEntry("max.compaction.lag.ms", "1000"), AlterConfigOp.OpType.SET),
                    new AlterConfigOp(new ConfigEntry("delete.retention.ms", "3600000"), AlterConfigOp.OpType.SET))))
                    .all().get();
            assertThat(admin.describeConfigs(List.of(topic)).all().get().get(topic).get("cleanup.policy").value())
                    .as("the topic as Topics creates it").isEqualTo("compact");
        }
    }

    /** Compaction never touches a partition's active segment: one more record, after segment.ms, closes it. */
    private void rollSegments() throws InterruptedException {
        Thread.sleep(1000);
        List<String> keys = new ArrayList<>();
        for (int p = 0, i = 0; p < 3; i++) {
            String filler = "filler-" + run + "-" + i;
            if (CheckpointChunk.partitionOf(filler, 3) == p) {
                keys.add(CheckpointChunk.key(filler, 0));
                p++;
            }
        }
        List<byte[]> tombstones = new ArrayList<>();
        keys.forEach(k -> tombstones.add(null));
        TopicTail.produce(producerConfig(), Topics.CHECKPOINTS, keys, tombstones);
    }

    /** The chunk indices on the topic now, by checkpoint, read from the beginning. */
    private Map<String, List<Integer>> chunksOnTopic() {
        try (TopicTail topic = new TopicTail(bootstrap, Topics.CHECKPOINTS)) {
            return topic.poll(Duration.ofSeconds(2)).stream().filter(r -> r.value() != null)
                    .map(r -> CheckpointChunk.decode(r.value()))
                    .filter(c -> c.checkpointId().contains(run))
                    .collect(Collectors.groupingBy(CheckpointChunk::checkpointId,
                            Collectors.mapping(CheckpointChunk::index, Collectors.toList())));
        }
    }

    private Map<String, Object> producerConfig() {
        return Map.of("bootstrap.servers", bootstrap,
                ProducerConfig.PARTITIONER_CLASS_CONFIG, CheckpointPartitioner.class.getName());
    }

    /** As the trainer sends them: key per chunk, on the checkpoint's partition. */
    private void send(List<CheckpointChunk> chunks) {
        TopicTail.produce(producerConfig(), Topics.CHECKPOINTS, chunks.stream().map(CheckpointChunk::key).toList(),
                chunks.stream().map(CheckpointChunk::encode).toList());
    }

    private List<CheckpointChunk> chunks(Path model, String name, int epoch, boolean last, double validationLoss,
                                         int extraBytes) {
        return chunks(model, id(name), job, epoch, last, validationLoss, extraBytes);
    }

    private List<CheckpointChunk> chunks(Path model, String checkpoint, String jobId, int epoch, boolean last,
                                         double validationLoss, int extraBytes) {
        CheckpointInfo info = new CheckpointInfo(CheckpointInfo.VERSION, jobId, checkpoint, dataset, build,
                "distilbert-tiny", epoch, epoch * 10L, last, 0.2, validationLoss, 0.7, null, List.of(
                new CheckpointInfo.EpochMetrics(epoch, epoch * 10L, 0.2, validationLoss, 0.7)));
        try {
            Path dir = tmp.resolve(checkpoint);
            Files.createDirectories(dir);
            try (var files = Files.list(model)) {
                for (Path file : files.toList()) {
                    Files.copy(file, dir.resolve(file.getFileName()));
                }
            }
            Files.writeString(dir.resolve(CheckpointInfo.FILE_NAME), Json.write(info));
            if (extraBytes > 0) {
                byte[] noise = new byte[extraBytes];
                new Random(epoch).nextBytes(noise);
                Files.write(dir.resolve("optimizer.bin"), noise);
            }
            return CheckpointChunk.split(checkpoint, jobId, ModelArchive.zip(dir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void publishDataset() {
        Random random = new Random(3);
        List<TokenizedExample> test = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            int[] ids = new int[3 + random.nextInt(10)];
            ids[0] = 2;
            for (int t = 1; t < ids.length - 1; t++) {
                ids[t] = 4 + random.nextInt(170);
            }
            ids[ids.length - 1] = 3;
            test.add(new TokenizedExample("t" + i, i % 2, ids));
        }
        ShardManifest manifest = new ShardManifest(ShardManifest.VERSION, dataset, build, LABELS,
                Map.of("train", 1, "test", 1), Map.of("train", Map.of("NEGATIVE", 1),
                "test", Map.of("NEGATIVE", 6, "POSITIVE", 6)), "distilbert-tiny", "distilbert-tiny", 64, "test-config",
                null);
        List<byte[]> values = List.of(
                ShardCodec.encode(new Shard(dataset, build, "train", 0, List.of(
                        new TokenizedExample("r0", 0, new int[]{2, 10, 3})))),
                ShardCodec.encode(new Shard(dataset, build, "test", 0, test)));
        TopicTail.produce(bootstrap, Topics.SHARDS, List.of(dataset, dataset), values);
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, byte[]>(
                Map.of("bootstrap.servers", bootstrap, "acks", "all"),
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            var record = new org.apache.kafka.clients.producer.ProducerRecord<>(Topics.SHARDS, dataset,
                    Json.write(manifest).getBytes(StandardCharsets.UTF_8));
            record.headers().add(Topics.HEADER_TYPE, "manifest".getBytes(StandardCharsets.UTF_8));
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitEvaluation(String checkpoint) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(300))
                .until(() -> RestAssured.get("/evaluations/" + checkpoint).statusCode() == 200);
    }

    /** A sample's value in this app's /q/metrics, or NaN when the series is absent. */
    private static double metric(String series) {
        return sample(RestAssured.get("/q/metrics").asString(), series);
    }

    /** The same from the evaluator at {@code url}. */
    private static double metric(String url, String series) {
        return sample(get(url, "/q/metrics").body(), series);
    }

    private static java.net.http.HttpResponse<String> get(String url, String path) {
        try {
            return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(url + path)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static double sample(String metrics, String series) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return Double.NaN;
    }
}

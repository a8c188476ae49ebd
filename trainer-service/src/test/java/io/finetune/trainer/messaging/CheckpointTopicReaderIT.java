package io.finetune.trainer.messaging;

import io.finetune.contracts.CheckpointChunk;
import io.finetune.contracts.CheckpointLookup;
import io.finetune.contracts.CheckpointTopicReader;
import io.finetune.contracts.ModelArchive;
import io.finetune.contracts.Topics;
import io.finetune.kafka.local.LocalKafka;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checkpoints topic read back as the trainer's warm start reads it, on a real broker: chunks published as
 * trainer-service publishes them (key {@code <checkpointId>/<index>} on the partition of the id) or as it did before the
 * topic was compacted (key = checkpoint id), among other checkpoints' chunks, with the incomplete or corrupt copies a
 * crashed or faulty publisher leaves, and the tombstones of a checkpoint the evaluator released.
 */
class CheckpointTopicReaderIT {
    @TempDir
    static Path tmp;
    private static LocalKafka kafka;
    private static CheckpointTopicReader reader;

    @BeforeAll
    static void start() {
        kafka = LocalKafka.onFreePort(tmp.resolve("kafka")).start().ensureTopics();
        reader = new CheckpointTopicReader(Map.of("bootstrap.servers", kafka.bootstrapServers()));
    }

    @AfterAll
    static void stop() {
        kafka.stop();
    }

    /** A model directory of about 1.2 MB (three chunks), its weights drawn from {@code seed}. */
    private static Path checkpoint(String name, long seed) throws Exception {
        Path dir = tmp.resolve("made").resolve(name + "-" + seed);
        Files.createDirectories(dir);
        byte[] weights = new byte[1_200_000];
        new Random(seed).nextBytes(weights);
        Files.write(dir.resolve("model.safetensors"), weights);
        Files.writeString(dir.resolve("config.json"), "{\"seed\": " + seed + "}");
        Files.writeString(dir.resolve("checkpoint.json"), "{\"checkpointId\": \"" + name + "\"}");
        return dir;
    }

    /** As the trainer published before the topic was compacted: key = checkpoint id, the default partitioner. */
    private static void publish(String checkpointId, List<CheckpointChunk> chunks) throws Exception {
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (CheckpointChunk chunk : chunks) {
                producer.send(new ProducerRecord<>(Topics.CHECKPOINTS, checkpointId, chunk.encode())).get();
            }
        }
    }

    /** As the trainer publishes now: one key per chunk, every chunk on the partition of the id. */
    private static void publishKeyed(List<CheckpointChunk> chunks) throws Exception {
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (CheckpointChunk chunk : chunks) {
                producer.send(new ProducerRecord<>(Topics.CHECKPOINTS, partition(chunk.checkpointId()), chunk.key(),
                        chunk.encode())).get();
            }
        }
    }

    /** As the evaluator releases a checkpoint: a tombstone per chunk key, saying why. */
    private static void release(List<CheckpointChunk> chunks, String why) throws Exception {
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (CheckpointChunk chunk : chunks) {
                ProducerRecord<String, byte[]> tombstone = new ProducerRecord<>(Topics.CHECKPOINTS,
                        partition(chunk.checkpointId()), chunk.key(), null);
                tombstone.headers().add(CheckpointChunk.HEADER_RELEASED, why.getBytes(StandardCharsets.UTF_8));
                producer.send(tombstone).get();
            }
        }
    }

    private static int partition(String checkpointId) {
        return CheckpointChunk.partitionOf(checkpointId, Topics.all().stream()
                .filter(t -> t.name().equals(Topics.CHECKPOINTS)).findFirst().orElseThrow().partitions());
    }

    private static KafkaProducer<String, byte[]> producer() {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private static List<CheckpointChunk> chunks(String checkpointId, Path dir) {
        return CheckpointChunk.split(checkpointId, "job-r", ModelArchive.zip(dir));
    }

    @Test
    void aCrashedPublishersPartialCopyIsPassedOverForTheWholeOneAmongOtherCheckpoints() throws Exception {
        List<CheckpointChunk> partial = chunks("job-r-final", checkpoint("job-r-final", 1));
        Path whole = checkpoint("job-r-final", 2);
        assertThat(partial).hasSize(3);
        publish("job-r-final", partial.subList(0, 2)); // the publisher died before the last chunk
        publish("job-other-final", chunks("job-other-final", checkpoint("job-other-final", 3)));
        publishKeyed(chunks("job-r-final", whole)); // and sent it again, other weights, after a restart

        Path target = tmp.resolve("read/job-r-final");
        CheckpointLookup lookup = reader.copyTo("job-r-final", target);

        assertThat(lookup.found()).isTrue();
        assertThat(lookup.where()).startsWith(Topics.CHECKPOINTS + " (partition ");
        for (String file : List.of("model.safetensors", "config.json", "checkpoint.json")) {
            assertThat(target.resolve(file)).hasSameBinaryContentAs(whole.resolve(file));
        }
        assertThat(target.resolveSibling("job-r-final.parts")).as("the parts are cleaned up").doesNotExist();
    }

    @Test
    void anAlteredCopyIsNotTakenAndTheReasonSaysWhy() throws Exception {
        List<CheckpointChunk> chunks = chunks("job-bad-final", checkpoint("job-bad-final", 4));
        CheckpointChunk last = chunks.get(2);
        byte[] altered = Arrays.copyOf(last.data(), last.data().length);
        altered[0] ^= 1;
        publish("job-bad-final", List.of(chunks.get(0), chunks.get(1), new CheckpointChunk(last.checkpointId(),
                last.jobId(), last.index(), last.count(), last.totalBytes(), last.sha256(), altered)));

        CheckpointLookup lookup = reader.copyTo("job-bad-final", tmp.resolve("read/job-bad-final"));

        assertThat(lookup.found()).isFalse();
        assertThat(lookup.where()).contains("failed verification");
        assertThat(tmp.resolve("read/job-bad-final")).doesNotExist();
    }

    @Test
    void aReleasedCheckpointIsNotAssembledFromWhatIsLeftAndTheAnswerSaysWhoReleasedIt() throws Exception {
        List<CheckpointChunk> chunks = chunks("job-gone-epoch-1", checkpoint("job-gone-epoch-1", 5));
        publishKeyed(chunks.subList(0, 2)); // as after compaction: the last chunk's record is gone
        release(chunks, "evaluator-service: not deployed, not the best of job job-gone");

        CheckpointLookup lookup = reader.copyTo("job-gone-epoch-1", tmp.resolve("read/job-gone-epoch-1"));

        assertThat(lookup.found()).isFalse();
        assertThat(lookup.where()).contains("which released it (evaluator-service: not deployed, not the best of job"
                + " job-gone)");
        assertThat(tmp.resolve("read/job-gone-epoch-1")).doesNotExist();

        // Published again after its release (a resumed job): the new copy counts.
        Path again = checkpoint("job-gone-epoch-1", 6);
        publishKeyed(chunks("job-gone-epoch-1", again));
        Path target = tmp.resolve("read/job-gone-again");
        assertThat(reader.copyTo("job-gone-epoch-1", target).found()).isTrue();
        assertThat(target.resolve("model.safetensors")).hasSameBinaryContentAs(again.resolve("model.safetensors"));
    }

    @Test
    void anUnknownCheckpointEndsAtThePartitionsEndNotInAWait() {
        long start = System.nanoTime();
        CheckpointLookup lookup = reader.copyTo("job-never-final", tmp.resolve("read/job-never-final"));

        assertThat(lookup.found()).isFalse();
        assertThat(lookup.where()).matches(Topics.CHECKPOINTS.replace(".", "\\.")
                + " \\(partition \\d, read to offset \\d+\\)");
        assertThat(System.nanoTime() - start).isLessThan(30_000_000_000L);
    }
}

package io.finetune.contracts;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckpointChunkTest {
    @TempDir
    Path tmp;

    private static byte[] archiveOf(int size) {
        byte[] data = new byte[size];
        new Random(7).nextBytes(data);
        return data;
    }

    @Test
    void chunksStayUnderKafkasDefaultRecordLimit() {
        List<CheckpointChunk> chunks = CheckpointChunk.split("c1", "j1", archiveOf(3 * CheckpointChunk.CHUNK_BYTES + 5));
        assertThat(chunks).hasSize(4);
        assertThat(chunks).allSatisfy(c -> assertThat(c.encode().length).isLessThan(1024 * 1024));
    }

    @Test
    void reassemblesInAnyOrderWithDuplicates() throws Exception {
        byte[] archive = archiveOf(2 * CheckpointChunk.CHUNK_BYTES + 17);
        List<CheckpointChunk> chunks = new ArrayList<>(CheckpointChunk.split("c1", "j1", archive));
        chunks.add(chunks.get(0)); // redelivered
        Collections.shuffle(chunks, new Random(1));
        CheckpointAssembler assembler = new CheckpointAssembler(tmp);
        Optional<Path> done = Optional.empty();
        for (CheckpointChunk chunk : chunks) {
            Optional<Path> result = assembler.accept(CheckpointChunk.decode(chunk.encode()));
            if (result.isPresent()) {
                done = result;
            }
        }
        assertThat(done).isPresent();
        assertThat(Files.readAllBytes(done.get())).isEqualTo(archive);
    }

    @Test
    void corruptedChunkFailsVerification() {
        List<CheckpointChunk> chunks = CheckpointChunk.split("c2", "j1", archiveOf(100));
        CheckpointChunk good = chunks.get(0);
        byte[] flipped = good.data().clone();
        flipped[10] ^= 1;
        CheckpointChunk bad = new CheckpointChunk("c2", "j1", 0, 1, good.totalBytes(), good.sha256(), flipped);
        assertThatThrownBy(() -> new CheckpointAssembler(tmp).accept(bad))
                .hasMessageContaining("failed verification");
    }

    @Test
    void archiveRoundTripRefusesPathEntries() throws Exception {
        Path model = Files.createDirectories(tmp.resolve("model"));
        Files.writeString(model.resolve("config.json"), "{}");
        Files.write(model.resolve("model.safetensors"), archiveOf(1000));
        Path out = tmp.resolve("out");
        ModelArchive.unzip(new java.io.ByteArrayInputStream(ModelArchive.zip(model)), out);
        assertThat(Files.readAllBytes(out.resolve("model.safetensors"))).isEqualTo(archiveOf(1000));

        java.io.ByteArrayOutputStream evil = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(evil)) {
            zip.putNextEntry(new java.util.zip.ZipEntry("../escape.txt"));
            zip.write(1);
            zip.closeEntry();
        }
        assertThatThrownBy(() -> ModelArchive.unzip(new java.io.ByteArrayInputStream(evil.toByteArray()), out))
                .hasMessageContaining("not a flat file name");
        assertThat(tmp.resolve("escape.txt")).doesNotExist();
    }

    /**
     * An archive bomb: one entry of 8 MiB of zeros (a few KiB compressed) against a bound of 1 MiB. Extraction stops
     * at the bound while writing, not after: the partial file is gone and no more than the bound reached the disk.
     */
    @Test
    void anEntryThatInflatesBeyondTheBoundIsStoppedWhileWriting() throws Exception {
        java.io.ByteArrayOutputStream bomb = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(bomb)) {
            zip.putNextEntry(new java.util.zip.ZipEntry("model.safetensors"));
            byte[] zeros = new byte[1024 * 1024];
            for (int i = 0; i < 8; i++) {
                zip.write(zeros);
            }
            zip.closeEntry();
        }
        assertThat(bomb.size()).isLessThan(64 * 1024);
        Path out = tmp.resolve("bomb");
        long bound = 1024 * 1024;
        java.util.concurrent.atomic.AtomicLong largestSeen = new java.util.concurrent.atomic.AtomicLong();
        // The archive stream reports how far extraction got each time it is read: the file never outgrows the bound.
        java.io.InputStream archive = new java.io.ByteArrayInputStream(bomb.toByteArray());
        java.io.InputStream watched = new java.io.FilterInputStream(archive) {
            @Override
            public int read(byte[] b, int off, int len) throws java.io.IOException {
                Path partial = out.resolve("model.safetensors");
                if (Files.exists(partial)) {
                    largestSeen.accumulateAndGet(Files.size(partial), Math::max);
                }
                return super.read(b, off, len);
            }
        };
        assertThatThrownBy(() -> ModelArchive.unzip(watched, out, bound))
                .hasMessageContaining("archive expands beyond " + bound + " bytes (entry 'model.safetensors')");
        assertThat(out.resolve("model.safetensors")).doesNotExist();
        assertThat(largestSeen.get()).isPositive().isLessThanOrEqualTo(bound);
    }

    @Test
    void eachChunkHasAKeyOfItsOwnButTheChunksOfACheckpointShareThePartitionItsIdAloneHad() {
        List<CheckpointChunk> chunks = CheckpointChunk.split("job-7-epoch-2", "job-7",
                archiveOf(2 * CheckpointChunk.CHUNK_BYTES + 1));
        assertThat(chunks).extracting(CheckpointChunk::key)
                .containsExactly("job-7-epoch-2/0", "job-7-epoch-2/1", "job-7-epoch-2/2");
        assertThat(chunks).extracting(c -> CheckpointChunk.checkpointIdOf(c.key())).containsOnly("job-7-epoch-2");
        assertThat(CheckpointChunk.checkpointIdOf("job-7-epoch-2")).as("a key of the old kind")
                .isEqualTo("job-7-epoch-2");

        // Where Kafka's default partitioner put a record keyed by the checkpoint id, as every chunk was before.
        org.apache.kafka.common.Cluster cluster = clusterWithPartitions("t", 3);
        for (String id : List.of("job-7-epoch-2", "job-7-final", "a", "run-3f1c-final")) {
            int old = org.apache.kafka.clients.producer.internals.BuiltInPartitioner.partitionForKey(
                    new org.apache.kafka.common.serialization.StringSerializer().serialize("t", id), 3);
            assertThat(CheckpointChunk.partitionOf(id, 3)).isEqualTo(old);
            for (int index : new int[]{0, 1, 539}) {
                assertThat(new CheckpointPartitioner().partition("t", CheckpointChunk.key(id, index), null, null, null,
                        cluster)).isEqualTo(old);
            }
        }
        assertThatThrownBy(() -> new CheckpointPartitioner().partition("t", null, null, null, null, cluster))
                .hasMessageContaining("String key");
    }

    private static org.apache.kafka.common.Cluster clusterWithPartitions(String topic, int partitions) {
        org.apache.kafka.common.Node node = new org.apache.kafka.common.Node(0, "localhost", 9092);
        List<org.apache.kafka.common.PartitionInfo> infos = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            org.apache.kafka.common.Node[] replicas = {node};
            infos.add(new org.apache.kafka.common.PartitionInfo(topic, p, node, replicas, replicas));
        }
        return new org.apache.kafka.common.Cluster("c", List.of(node), infos, java.util.Set.of(), java.util.Set.of());
    }
}

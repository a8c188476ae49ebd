package io.finetune.contracts;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.kafka.common.utils.Utils;

/**
 * One piece of a checkpoint archive on {@link Topics#CHECKPOINTS}. A DistilBERT checkpoint is ~270 MB and Kafka's
 * default record limit is 1 MiB, so archives travel as chunks of {@link #CHUNK_BYTES}, each naming its position and
 * the SHA-256 of the whole archive, which the reader verifies after reassembly.
 *
 * <p>Record key {@link #key()} = {@code <checkpointId>/<index>}, one key per chunk, because the topic is compacted
 * (docs/delivery.md, "Retention"): compaction keeps the newest record of each key, so a checkpoint keeps every chunk
 * until a tombstone of each chunk's key releases it. All chunks (and tombstones) of a checkpoint go to
 * {@link #partitionOf} of its id, so they stay on one partition, in order; that is the partition Kafka's default
 * partitioner gave chunks keyed by the checkpoint id alone, as they were before, so a checkpoint's old and new records
 * share a partition. Producers choose it with {@link CheckpointPartitioner}.
 */
public record CheckpointChunk(String checkpointId, String jobId, int index, int count, long totalBytes,
                              String sha256, byte[] data) {
    public static final int CHUNK_BYTES = 512 * 1024;
    private static final byte[] MAGIC = {'F', 'T', 'C', 1};

    public static List<CheckpointChunk> split(String checkpointId, String jobId, byte[] archive) {
        String sha = Hashing.sha256Hex(archive);
        int count = Math.max(1, (archive.length + CHUNK_BYTES - 1) / CHUNK_BYTES);
        List<CheckpointChunk> chunks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int from = i * CHUNK_BYTES;
            byte[] data = Arrays.copyOfRange(archive, from, Math.min(archive.length, from + CHUNK_BYTES));
            chunks.add(new CheckpointChunk(checkpointId, jobId, i, count, archive.length, sha, data));
        }
        return chunks;
    }

    /**
     * Header of a tombstone on the topic (a record with a chunk's key and no value): who released the checkpoint and
     * why, e.g. "evaluator-service: not deployed, not the best of job ...". A reader that finds one for the checkpoint
     * it wants, after its chunks, must fail with it rather than assemble what is left.
     */
    public static final String HEADER_RELEASED = "ft-released";

    /** Separates checkpoint id and chunk index in a record key; checkpoint ids never contain it ({@link SafeNames}). */
    public static final char KEY_SEPARATOR = '/';

    /** This chunk's record key, {@code <checkpointId>/<index>}. */
    public String key() {
        return key(checkpointId, index);
    }

    public static String key(String checkpointId, int index) {
        return checkpointId + KEY_SEPARATOR + index;
    }

    /**
     * The checkpoint a record key of the topic names: {@code <checkpointId>/<index>}, or the checkpoint id alone
     * (chunks written before the topic was compacted). Tombstones carry the same keys.
     */
    public static String checkpointIdOf(String key) {
        if (key == null) {
            throw new IllegalArgumentException("a record of the checkpoints topic has no key");
        }
        int slash = key.lastIndexOf(KEY_SEPARATOR);
        return slash < 0 ? key : key.substring(0, slash);
    }

    /**
     * The partition of every chunk and tombstone of a checkpoint: murmur2 of the checkpoint id, as Kafka's default
     * partitioner hashes a key, so it is where chunks keyed by the id alone went.
     */
    public static int partitionOf(String checkpointId, int partitions) {
        return Utils.toPositive(Utils.murmur2(checkpointId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(data.length + 256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeUTF(checkpointId);
            out.writeUTF(jobId);
            out.writeInt(index);
            out.writeInt(count);
            out.writeLong(totalBytes);
            out.writeUTF(sha256);
            out.writeInt(data.length);
            out.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static CheckpointChunk decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            if (!Arrays.equals(in.readNBytes(MAGIC.length), MAGIC)) {
                throw new IllegalArgumentException("not a checkpoint chunk (bad magic or unknown version)");
            }
            String checkpointId = in.readUTF();
            String jobId = in.readUTF();
            int index = in.readInt();
            int count = in.readInt();
            long total = in.readLong();
            String sha = in.readUTF();
            byte[] data = in.readNBytes(in.readInt());
            if (index < 0 || index >= count) {
                throw new IllegalArgumentException("chunk index " + index + " outside 0.." + (count - 1));
            }
            return new CheckpointChunk(checkpointId, jobId, index, count, total, sha, data);
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated or corrupt checkpoint chunk", e);
        }
    }
}

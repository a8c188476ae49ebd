package io.finetune.contracts;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One piece of a checkpoint archive on {@link Topics#CHECKPOINTS}. A DistilBERT checkpoint is ~270 MB and Kafka's
 * default record limit is 1 MiB, so archives travel as chunks of {@link #CHUNK_BYTES}, each naming its position and
 * the SHA-256 of the whole archive, which the reader verifies after reassembly. Key = checkpoint id, so all chunks of
 * a checkpoint land on one partition, in order.
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

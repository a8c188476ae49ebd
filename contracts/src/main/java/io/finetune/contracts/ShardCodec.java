package io.finetune.contracts;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Compact, deterministic binary form of a {@link Shard}: token ids as unsigned varints (most ids fit in two bytes),
 * so a shard is several times smaller than JSON and the same shard always encodes to the same bytes.
 *
 * <pre>
 * "FTS" version(1 byte) dataset build split (modified UTF-8) index(int) count(int)
 * per example: id(UTF) label(varint) length(varint) ids(varint...)
 * </pre>
 */
public final class ShardCodec {
    private static final byte[] MAGIC = {'F', 'T', 'S', 1};

    public static byte[] encode(Shard shard) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + shard.examples().size() * 256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeUTF(shard.dataset());
            out.writeUTF(shard.build());
            out.writeUTF(shard.split());
            out.writeInt(shard.index());
            out.writeInt(shard.examples().size());
            for (TokenizedExample example : shard.examples()) {
                out.writeUTF(example.id());
                writeVarint(out, example.label());
                writeVarint(out, example.inputIds().length);
                for (int id : example.inputIds()) {
                    writeVarint(out, id);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static Shard decode(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new IllegalArgumentException("not a shard (bad magic or unknown version)");
            }
            String dataset = in.readUTF();
            String build = in.readUTF();
            String split = in.readUTF();
            int index = in.readInt();
            int count = in.readInt();
            List<TokenizedExample> examples = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String id = in.readUTF();
                int label = readVarint(in);
                int[] ids = new int[readVarint(in)];
                for (int t = 0; t < ids.length; t++) {
                    ids[t] = readVarint(in);
                }
                examples.add(new TokenizedExample(id, label, ids));
            }
            return new Shard(dataset, build, split, index, examples);
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated or corrupt shard", e);
        }
    }

    /**
     * The build a shard belongs to, read from its header alone: its examples are neither decoded nor copied, so an
     * index of the shards topic can place a shard without holding its data.
     */
    public static String buildOf(ByteBuffer value) {
        try (DataInputStream in = new DataInputStream(new ByteBufferInput(value))) {
            if (!java.util.Arrays.equals(in.readNBytes(MAGIC.length), MAGIC)) {
                throw new IllegalArgumentException("not a shard (bad magic or unknown version)");
            }
            in.readUTF(); // dataset
            return in.readUTF();
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated or corrupt shard", e);
        }
    }

    /** Upper bound of an example's encoded size, used to cut shards under Kafka's record limit. */
    public static int encodedSizeBound(TokenizedExample example) {
        return 3 * example.id().length() + 2 + 5 + 5 + 5 * example.inputIds().length;
    }

    private static void writeVarint(DataOutputStream out, int value) throws IOException {
        int v = value;
        while ((v & ~0x7F) != 0) {
            out.writeByte((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.writeByte(v);
    }

    private static int readVarint(DataInputStream in) throws IOException {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = in.readUnsignedByte();
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IOException("varint longer than 5 bytes");
    }

    private ShardCodec() {
    }
}

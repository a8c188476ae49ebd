package io.finetune.contracts;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Published after the last shard of a preprocessing run, on {@link Topics#SHARDS} with header ft-type=manifest.
 * Readers trust a build only once its manifest exists, and check they found exactly {@code shards} shards.
 *
 * @param labels            label names; a shard's example label is an index into this list
 * @param shards            number of shards per split
 * @param counts            examples per split and label name
 * @param tokenizer         identity of the tokenizer: model name and SHA-256 of its tokenizer.json
 * @param configHash        SHA-256 of the options actually used
 * @param tokenizerArchive  the tokenizer files published with this build (model {@code scratch}: a vocabulary built
 *                          from the train split), or null when the tokenizer is the named model's own
 * @param version           of a continuous dataset: which version this build is (its seal number: every record of the
 *                          dataset before END marker {@code version}); null, and left out of the JSON, for a dataset
 *                          that is not continuous
 */
public record ShardManifest(int v, String dataset, String build, List<String> labels, Map<String, Integer> shards,
                            Map<String, Map<String, Integer>> counts, String tokenizer, String model, int maxLength,
                            String configHash, CleaningReport report, TokenizerArchive tokenizerArchive,
                            Integer version)
        implements PreparationOutcome {
    public static final int VERSION = 1;
    /** The value of the {@link Topics#HEADER_TYPE} header. */
    public static final String RECORD_TYPE = "manifest";

    /** A build of a dataset that is not continuous (no version). */
    public ShardManifest(int v, String dataset, String build, List<String> labels, Map<String, Integer> shards,
                         Map<String, Map<String, Integer>> counts, String tokenizer, String model, int maxLength,
                         String configHash, CleaningReport report, TokenizerArchive tokenizerArchive) {
        this(v, dataset, build, labels, shards, counts, tokenizer, model, maxLength, configHash, report,
                tokenizerArchive, null);
    }

    /** A build whose tokenizer is the named model's (no tokenizer files on the topic). */
    public ShardManifest(int v, String dataset, String build, List<String> labels, Map<String, Integer> shards,
                         Map<String, Map<String, Integer>> counts, String tokenizer, String model, int maxLength,
                         String configHash, CleaningReport report) {
        this(v, dataset, build, labels, shards, counts, tokenizer, model, maxLength, configHash, report, null, null);
    }

    public int examples(String split) {
        return counts.getOrDefault(split, Map.of()).values().stream().mapToInt(Integer::intValue).sum();
    }

    /**
     * A zip of a tokenizer's Hugging Face files (tokenizer.json, vocab.txt, tokenizer_config.json, ...), published on
     * {@link Topics#SHARDS} before the manifest as {@code chunks} records with header ft-type=tokenizer, key = dataset.
     * Each record value is {@code "FTK" 1, build (modified UTF-8), index (int), count (int), bytes}, so a reader can
     * tell the chunks of two builds apart and put them in order.
     *
     * @param sha256 SHA-256 of the whole zip
     * @param bytes  size of the whole zip
     */
    public record TokenizerArchive(String sha256, long bytes, int chunks) {
        /** Chunk size: Kafka's default record limit is 1 MiB. */
        public static final int MAX_CHUNK_BYTES = 900_000;
        public static final String RECORD_TYPE = "tokenizer";
        private static final byte[] MAGIC = {'F', 'T', 'K', 1};

        /** One chunk as read back. */
        public record Chunk(String build, int index, int count, byte[] data) {
        }

        public static TokenizerArchive of(byte[] zip) {
            return new TokenizerArchive(Hashing.sha256Hex(zip), zip.length,
                    Math.max(1, (zip.length + MAX_CHUNK_BYTES - 1) / MAX_CHUNK_BYTES));
        }

        /** The record values that carry {@code zip} for {@code build}, in order. */
        public static List<byte[]> encode(String build, byte[] zip) {
            int count = of(zip).chunks();
            List<byte[]> values = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                try (DataOutputStream out = new DataOutputStream(bytes)) {
                    out.write(MAGIC);
                    out.writeUTF(build);
                    out.writeInt(i);
                    out.writeInt(count);
                    out.write(zip, i * MAX_CHUNK_BYTES, Math.min(MAX_CHUNK_BYTES, zip.length - i * MAX_CHUNK_BYTES));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                values.add(bytes.toByteArray());
            }
            return values;
        }

        public static Chunk decode(byte[] value) {
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
                if (!Arrays.equals(in.readNBytes(MAGIC.length), MAGIC)) {
                    throw new IllegalArgumentException("not a tokenizer chunk (bad magic or unknown version)");
                }
                return new Chunk(in.readUTF(), in.readInt(), in.readInt(), in.readAllBytes());
            } catch (IOException e) {
                throw new IllegalArgumentException("truncated tokenizer chunk", e);
            }
        }

        /** The build a chunk belongs to, read from its header alone: its data is not copied. */
        public static String buildOf(ByteBuffer value) {
            try (DataInputStream in = new DataInputStream(new ByteBufferInput(value))) {
                if (!Arrays.equals(in.readNBytes(MAGIC.length), MAGIC)) {
                    throw new IllegalArgumentException("not a tokenizer chunk (bad magic or unknown version)");
                }
                return in.readUTF();
            } catch (IOException e) {
                throw new IllegalArgumentException("truncated tokenizer chunk", e);
            }
        }

        /** Joins the chunks (index → data) and checks size and SHA-256 against this reference. */
        public byte[] join(Map<Integer, byte[]> chunksByIndex, String what) {
            ByteArrayOutputStream zip = new ByteArrayOutputStream((int) Math.min(bytes, Integer.MAX_VALUE));
            for (int i = 0; i < chunks; i++) {
                byte[] data = chunksByIndex.get(i);
                if (data == null) {
                    throw new IllegalStateException(what + ": tokenizer chunk " + i + " of " + chunks + " is missing");
                }
                zip.writeBytes(data);
            }
            byte[] joined = zip.toByteArray();
            String sha = Hashing.sha256Hex(joined);
            if (joined.length != bytes || !sha.equals(sha256)) {
                throw new IllegalStateException(what + ": tokenizer archive failed verification: expected " + bytes
                        + " bytes with SHA-256 " + sha256 + ", got " + joined.length + " bytes with " + sha);
            }
            return joined;
        }
    }
}

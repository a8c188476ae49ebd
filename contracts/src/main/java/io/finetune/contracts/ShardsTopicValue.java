package io.finetune.contracts;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What {@link ShardReader} takes from the value of one record of {@link Topics#SHARDS}: its type, the build it belongs
 * to, the outcome a manifest or failure carries and, only for the build being read, the bytes of a shard or tokenizer
 * chunk. Everything else of a shard stays in Kafka's fetch buffer.
 *
 * @param type     the {@link Topics#HEADER_TYPE} header; a record without one is a shard
 * @param build    the build of a shard, tokenizer chunk or manifest; null for a failure or an unreadable header
 * @param outcome  the decoded manifest or failure, else null
 * @param payload  the whole value, kept only for the build {@link Reading#keepBuild} names (or an unreadable shard
 *                 there, so its reader gets the decoding error)
 * @param problem  why the value could not be read, else null
 */
record ShardsTopicValue(String type, String build, PreparationOutcome outcome, byte[] payload, String problem) {
    static final String SHARD = "shard";

    boolean isShard() {
        return SHARD.equals(type);
    }

    boolean isTokenizerChunk() {
        return ShardManifest.TokenizerArchive.RECORD_TYPE.equals(type);
    }

    boolean isOutcome() {
        return ShardManifest.RECORD_TYPE.equals(type) || PreparationFailed.RECORD_TYPE.equals(type);
    }

    /**
     * Reads values from the fetch buffer without copying them, except the shards and chunks of {@link #keepBuild}.
     * One per consumer, used by the consumer's thread only. Never throws: a value it cannot read comes back with a
     * {@code problem}, so one bad record cannot stop the reading of everything behind it.
     */
    static final class Reading implements Deserializer<ShardsTopicValue> {
        private String keepBuild;

        /** Keep the bytes of this build's shards and tokenizer chunks from now on; null: keep none. */
        void keepBuild(String build) {
            this.keepBuild = build;
        }

        @Override
        public ShardsTopicValue deserialize(String topic, byte[] data) {
            return deserialize(topic, null, data);
        }

        @Override
        public ShardsTopicValue deserialize(String topic, Headers headers, byte[] data) {
            return data == null ? null : deserialize(topic, headers, ByteBuffer.wrap(data));
        }

        @Override
        public ShardsTopicValue deserialize(String topic, Headers headers, ByteBuffer data) {
            Header header = headers == null ? null : headers.lastHeader(Topics.HEADER_TYPE);
            String type = header == null ? SHARD : new String(header.value(), StandardCharsets.UTF_8);
            if (data == null) {
                return new ShardsTopicValue(type, null, null, null, "no value");
            }
            try {
                return switch (type) {
                    case ShardManifest.RECORD_TYPE -> {
                        ShardManifest manifest = Json.read(text(data), ShardManifest.class);
                        yield new ShardsTopicValue(type, manifest.build(), manifest, null, null);
                    }
                    case PreparationFailed.RECORD_TYPE -> new ShardsTopicValue(type, null,
                            Json.read(text(data), PreparationFailed.class), null, null);
                    case ShardManifest.TokenizerArchive.RECORD_TYPE ->
                            data(type, ShardManifest.TokenizerArchive.buildOf(data), data);
                    case SHARD -> data(type, ShardCodec.buildOf(data), data);
                    default -> new ShardsTopicValue(type, null, null, null, null); // a type of a later version
                };
            } catch (RuntimeException e) {
                // The shard is kept whole when its build is being read: decoding it then says what is wrong with it.
                byte[] payload = SHARD.equals(type) && keepBuild != null ? bytes(data) : null;
                return new ShardsTopicValue(type, null, null, payload, e.getMessage());
            }
        }

        private ShardsTopicValue data(String type, String build, ByteBuffer data) {
            return new ShardsTopicValue(type, build, null, build.equals(keepBuild) ? bytes(data) : null, null);
        }

        private static String text(ByteBuffer data) {
            return StandardCharsets.UTF_8.decode(data.duplicate()).toString();
        }

        private static byte[] bytes(ByteBuffer data) {
            byte[] bytes = new byte[data.remaining()];
            data.duplicate().get(bytes);
            return bytes;
        }
    }
}

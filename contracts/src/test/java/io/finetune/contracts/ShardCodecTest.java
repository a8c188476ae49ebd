package io.finetune.contracts;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShardCodecTest {
    private final Shard shard = new Shard("reviews", "b1", "train", 3, List.of(
            new TokenizedExample("r1", 1, new int[]{2, 150, 30521, 3}),
            new TokenizedExample("r2", 0, new int[]{2, 3})));

    @Test
    void roundTripsEveryField() {
        assertThat(ShardCodec.decode(ShardCodec.encode(shard))).isEqualTo(shard);
    }

    @Test
    void sameShardGivesSameBytes() {
        assertThat(ShardCodec.encode(shard)).isEqualTo(ShardCodec.encode(new Shard("reviews", "b1", "train", 3,
                List.copyOf(shard.examples()))));
    }

    @Test
    void sizeBoundHoldsForLargeIds() {
        TokenizedExample big = new TokenizedExample("x", 1, new int[]{Integer.MAX_VALUE, 30521, 0});
        int encoded = ShardCodec.encode(new Shard("d", "b", "s", 0, List.of(big))).length;
        int header = ShardCodec.encode(new Shard("d", "b", "s", 0, List.of())).length;
        assertThat(encoded - header).isLessThanOrEqualTo(ShardCodec.encodedSizeBound(big));
    }

    @Test
    void readsTheBuildFromTheHeaderAlone() {
        assertThat(ShardCodec.buildOf(java.nio.ByteBuffer.wrap(ShardCodec.encode(shard)))).isEqualTo("b1");
        byte[] zipChunk = ShardManifest.TokenizerArchive.encode("b7", new byte[]{1, 2, 3}).get(0);
        assertThat(ShardManifest.TokenizerArchive.buildOf(java.nio.ByteBuffer.wrap(zipChunk))).isEqualTo("b7");
        assertThatThrownBy(() -> ShardCodec.buildOf(java.nio.ByteBuffer.wrap(zipChunk)))
                .hasMessageContaining("not a shard");
        assertThatThrownBy(() -> ShardCodec.buildOf(java.nio.ByteBuffer.wrap(new byte[]{'F', 'T', 'S', 1, 0})))
                .hasMessageContaining("truncated");
    }

    @Test
    void refusesGarbage() {
        assertThatThrownBy(() -> ShardCodec.decode("{\"json\":true}".getBytes()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a shard");
    }
}

package io.finetune.contracts;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShardManifestTest {
    @TempDir
    Path tmp;

    private static ShardManifest manifest(ShardManifest.TokenizerArchive archive) {
        return new ShardManifest(ShardManifest.VERSION, "d", "b1", List.of("neg", "pos"), Map.of("train", 1),
                Map.of("train", Map.of("neg", 1, "pos", 1)), "scratch@sha256:00", "scratch", 64, "cfg", null, archive);
    }

    @Test
    void jsonRoundTripKeepsTheTokenizerReferenceAndOldManifestsStillRead() {
        ShardManifest.TokenizerArchive archive = new ShardManifest.TokenizerArchive("ab", 10, 1);
        assertThat(Json.read(Json.write(manifest(archive)), ShardManifest.class)).isEqualTo(manifest(archive));
        String old = Json.write(manifest(null));
        assertThat(old).doesNotContain("tokenizerArchive");
        assertThat(Json.read(old, ShardManifest.class).tokenizerArchive()).isNull();
    }

    @Test
    void aVersionIsWrittenOnlyForAContinuousDatasetsBuild() {
        ShardManifest plain = manifest(null);
        assertThat(Json.write(plain)).doesNotContain("version");
        ShardManifest second = new ShardManifest(plain.v(), plain.dataset(), plain.build(), plain.labels(),
                plain.shards(), plain.counts(), plain.tokenizer(), plain.model(), plain.maxLength(), plain.configHash(),
                plain.report(), null, 2);
        assertThat(Json.write(second)).contains("\"version\":2");
        assertThat(Json.read(Json.write(second), ShardManifest.class).version()).isEqualTo(2);
        assertThat(Json.read(Json.write(plain), ShardManifest.class).version()).isNull();
    }

    @Test
    void archivesAreChunkedJoinedAndVerified() throws Exception {
        byte[] zip = new byte[2 * ShardManifest.TokenizerArchive.MAX_CHUNK_BYTES + 17];
        new Random(1).nextBytes(zip);
        ShardManifest.TokenizerArchive ref = ShardManifest.TokenizerArchive.of(zip);
        assertThat(ref.chunks()).isEqualTo(3);
        List<byte[]> values = ShardManifest.TokenizerArchive.encode("b1", zip);
        assertThat(values).hasSize(3).allMatch(v -> v.length < 1_000_000);
        Map<Integer, byte[]> byIndex = new HashMap<>();
        for (int i = values.size() - 1; i >= 0; i--) { // out of order, as partitions may deliver them
            ShardManifest.TokenizerArchive.Chunk chunk = ShardManifest.TokenizerArchive.decode(values.get(i));
            assertThat(chunk.build()).isEqualTo("b1");
            assertThat(chunk.count()).isEqualTo(3);
            byIndex.put(chunk.index(), chunk.data());
        }
        assertThat(ref.join(byIndex, "d")).isEqualTo(zip);

        byIndex.get(1)[5] ^= 1;
        assertThatThrownBy(() -> ref.join(byIndex, "d")).hasMessageContaining("failed verification");
        byIndex.remove(2);
        assertThatThrownBy(() -> ref.join(byIndex, "d")).hasMessageContaining("chunk 2 of 3 is missing");
    }

    @Test
    void datasetShardsUnpackTheirTokenizer() throws Exception {
        Path files = Files.createDirectories(tmp.resolve("files"));
        Files.writeString(files.resolve("vocab.txt"), "[PAD]\n[UNK]\n");
        Files.writeString(files.resolve("tokenizer.json"), "{}");
        byte[] zip = ModelArchive.zip(files);
        DatasetShards shards = new DatasetShards(manifest(ShardManifest.TokenizerArchive.of(zip)), Map.of(), zip);
        Path out = shards.writeTokenizer(tmp.resolve("out")).orElseThrow();
        assertThat(Files.readString(out.resolve("vocab.txt"), StandardCharsets.UTF_8)).isEqualTo("[PAD]\n[UNK]\n");
        assertThat(new DatasetShards(manifest(null), Map.of()).writeTokenizer(tmp.resolve("none"))).isEmpty();
    }
}

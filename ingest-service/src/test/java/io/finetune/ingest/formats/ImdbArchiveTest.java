package io.finetune.ingest.formats;

import org.junit.jupiter.api.Test;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImdbArchiveTest {
    private static final SafeArchive.Limits LIMITS = new SafeArchive.Limits(100, 1 << 20);

    private static List<SourceItem> read(byte[] archive, SafeArchive.Limits limits) throws IOException {
        List<SourceItem> items = new ArrayList<>();
        ImdbArchive.read(new BufferedInputStream(new ByteArrayInputStream(archive)), limits, 10_000, items::add);
        return items;
    }

    @Test
    void reviewsKeepTheirSplitAndLabelAndUnsupIsSkipped() throws IOException {
        List<SourceItem> items = read(ArchiveFixtures.imdbTarGz(), LIMITS);
        assertThat(items).hasSize(6).allMatch(SourceItem::readable);
        assertThat(items).extracting(i -> i.fields().get("id").asText()).containsExactly("train/pos/0_9",
                "train/pos/1_8", "train/neg/0_2", "train/neg/1_1", "test/pos/0_10", "test/neg/0_3");
        assertThat(items).extracting(i -> i.fields().get("label").asText()).containsExactly("positive", "positive",
                "negative", "negative", "positive", "negative");
        assertThat(items).extracting(i -> i.fields().get("split").asText()).containsExactly("train", "train",
                "train", "train", "test", "test");
        assertThat(items.get(0).fields().get("text").asText()).isEqualTo("A wonderful film.<br /><br />Loved it.");
        assertThat(items.get(0).source()).isEqualTo("aclImdb/train/pos/0_9.txt");
    }

    @Test
    void pathsLeavingTheArchiveAndAbsolutePathsAreRefused() {
        assertThatThrownBy(() -> read(ArchiveFixtures.tarGz(Map.of("aclImdb/../../etc/train/pos/0_1.txt", "x")),
                LIMITS)).isInstanceOf(SafeArchive.RefusedArchiveException.class).hasMessageContaining("leaves it");
        assertThatThrownBy(() -> read(ArchiveFixtures.zip(Map.of("/tmp/train/pos/0_1.txt", new byte[]{'x'})),
                LIMITS)).isInstanceOf(SafeArchive.RefusedArchiveException.class).hasMessageContaining("absolute");
    }

    @Test
    void archiveBombsAreRefusedByEntryCountAndUnpackedBytes() throws IOException {
        byte[] archive = ArchiveFixtures.imdbTarGz();
        assertThatThrownBy(() -> read(archive, new SafeArchive.Limits(5, 1 << 20)))
                .isInstanceOf(SafeArchive.RefusedArchiveException.class).hasMessageContaining("more than 5 entries");
        byte[] zeros = ArchiveFixtures.tarGz(Map.of("aclImdb/train/pos/0_1.txt", "0".repeat(200_000)));
        assertThat(zeros.length).isLessThan(2_000);
        assertThatThrownBy(() -> read(zeros, new SafeArchive.Limits(100, 100_000)))
                .isInstanceOf(SafeArchive.RefusedArchiveException.class).hasMessageContaining("unpacks to more");
    }

    @Test
    void aBodyThatIsNoArchiveIsAnError() {
        assertThatThrownBy(() -> read("just text".getBytes(), LIMITS)).hasMessageContaining("not a tar");
    }
}

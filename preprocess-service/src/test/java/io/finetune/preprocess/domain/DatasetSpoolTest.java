package io.finetune.preprocess.domain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DatasetSpoolTest {
    @TempDir
    Path dir;

    @Test
    void appendsReadsBackByOffsetAndSkipsRedeliveries() throws Exception {
        Path file = dir.resolve("d.jsonl");
        try (DatasetSpool spool = DatasetSpool.open(file)) {
            assertThat(spool.append(new SpooledRecord(0, 5, "a", "first\nline ü", "pos", null))).isTrue();
            assertThat(spool.append(new SpooledRecord(0, 6, "b", "second", "neg", "test"))).isTrue();
            assertThat(spool.append(new SpooledRecord(0, 6, "b", "second", "neg", "test"))).isFalse();
            assertThat(spool.append(new SpooledRecord(1, 6, "c", "other partition", "neg", null))).isTrue();
            assertThat(spool.count()).isEqualTo(3);

            List<DatasetSpool.Line> lines = new ArrayList<>();
            spool.forEach(lines::add);
            assertThat(lines).extracting(l -> l.record().id()).containsExactly("a", "b", "c");
            try (DatasetSpool.RandomReader reader = spool.reader()) {
                DatasetSpool.Line second = lines.get(1);
                assertThat(reader.read(second.offset(), second.length()).text()).isEqualTo("second");
                assertThat(reader.read(lines.get(0).offset(), lines.get(0).length()).text()).isEqualTo("first\nline ü");
            }
        }
    }

    @Test
    void reopeningRecoversCountAndOffsetsAndCutsAHalfWrittenLine() throws Exception {
        Path file = dir.resolve("d.jsonl");
        try (DatasetSpool spool = DatasetSpool.open(file)) {
            spool.append(new SpooledRecord(0, 10, "a", "x", "pos", null));
        }
        Files.writeString(file, "{\"p\":0,\"o\":11,\"id\":\"crash", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        try (DatasetSpool spool = DatasetSpool.open(file)) {
            assertThat(spool.count()).isEqualTo(1);
            assertThat(spool.append(new SpooledRecord(0, 10, "a", "x", "pos", null))).isFalse();
            assertThat(spool.append(new SpooledRecord(0, 11, "b", "y", "neg", null))).isTrue();
            List<String> ids = new ArrayList<>();
            spool.forEach(l -> ids.add(l.record().id()));
            assertThat(ids).containsExactly("a", "b");
            spool.delete();
            assertThat(file).doesNotExist();
            assertThat(spool.count()).isZero();
        }
    }

    @Test
    void readsLinesLongerThanItsReadBuffer() throws Exception {
        Path file = dir.resolve("long.jsonl");
        String longText = "word ".repeat(700_000); // 3.5 MB: longer than the 1 MiB block the spool reads
        try (DatasetSpool spool = DatasetSpool.open(file)) {
            spool.append(new SpooledRecord(0, 1, "a", "short", "pos", null));
            spool.append(new SpooledRecord(0, 2, "b", longText, "neg", null));
            spool.append(new SpooledRecord(0, 3, "c", "after", "pos", null));
            List<DatasetSpool.Line> lines = new ArrayList<>();
            spool.forEach(lines::add);
            assertThat(lines).extracting(l -> l.record().id()).containsExactly("a", "b", "c");
            try (DatasetSpool.RandomReader reader = spool.reader()) {
                assertThat(reader.read(lines.get(1).offset(), lines.get(1).length()).text()).isEqualTo(longText);
                assertThat(reader.read(lines.get(2).offset(), lines.get(2).length()).text()).isEqualTo("after");
            }
        }
        try (DatasetSpool reopened = DatasetSpool.open(file)) {
            assertThat(reopened.count()).isEqualTo(3);
        }
    }
}

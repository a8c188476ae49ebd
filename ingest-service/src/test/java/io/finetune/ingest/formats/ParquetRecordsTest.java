package io.finetune.ingest.formats;

import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

public class ParquetRecordsTest {
    /** The layout of Hugging Face's imdb train-00000-of-00001.parquet: text, an int64 ClassLabel, snappy pages. */
    public static void writeHuggingFaceStyle(Path file, boolean withFeatures) throws IOException {
        MessageType schema = MessageTypeParser.parseMessageType(
                "message schema { optional binary text (STRING); optional int64 label; optional double score; }");
        String features = "{\"info\": {\"features\": {\"text\": {\"dtype\": \"string\", \"_type\": \"Value\"},"
                + " \"label\": {\"names\": [\"neg\", \"pos\"], \"_type\": \"ClassLabel\"}}}}";
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file))
                .withConf(new PlainParquetConfiguration()).withType(schema)
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                .withExtraMetaData(withFeatures ? Map.of("huggingface", features) : Map.of()).build()) {
            SimpleGroupFactory rows = new SimpleGroupFactory(schema);
            writer.write(rows.newGroup().append("text", "I loved this movie.").append("label", 1L)
                    .append("score", 0.5));
            writer.write(rows.newGroup().append("text", "Terrible.").append("label", 0L));
            writer.write(rows.newGroup().append("label", 1L));
        }
    }

    private static List<SourceItem> read(Path file) throws IOException {
        List<SourceItem> items = new ArrayList<>();
        ParquetRecords.read(file, items::add);
        return items;
    }

    @Test
    void rowsBecomeRecordsAndClassLabelsBecomeTheirNames(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("train-00000-of-00001.parquet");
        writeHuggingFaceStyle(file, true);
        List<SourceItem> items = read(file);
        assertThat(items).extracting(i -> i.fields().toString()).containsExactly(
                "{\"text\":\"I loved this movie.\",\"label\":\"pos\",\"score\":0.5}",
                "{\"text\":\"Terrible.\",\"label\":\"neg\"}",
                "{\"label\":\"pos\"}");
        assertThat(items).extracting(SourceItem::source).containsExactly("row 1", "row 2", "row 3");
    }

    @Test
    void withoutHuggingFaceMetadataLabelsStayNumbers(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("plain.parquet");
        writeHuggingFaceStyle(file, false);
        assertThat(read(file).get(0).fields().get("label").asLong()).isEqualTo(1L);
    }
}

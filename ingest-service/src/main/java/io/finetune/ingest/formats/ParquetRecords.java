package io.finetune.ingest.formats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.finetune.contracts.Json;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Parquet file as records, one per row, with a field per top-level scalar column (so any column mapping of the
 * dataset applies: "text" and "label" for Hugging Face datasets). Hugging Face writes its features into the file's
 * "huggingface" metadata; an integer column that is a ClassLabel there becomes the label's name (0 becomes "neg").
 */
public final class ParquetRecords {
    public static void read(Path file, RecordSink sink) throws IOException {
        ParquetReadOptions options = ParquetReadOptions.builder(new PlainParquetConfiguration()).build();
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file), options)) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            Map<String, List<String>> classNames = classLabels(
                    reader.getFooter().getFileMetaData().getKeyValueMetaData().get("huggingface"));
            long row = 0;
            for (PageReadStore pages; (pages = reader.readNextRowGroup()) != null; ) {
                RecordReader<Group> rows = new ColumnIOFactory().getColumnIO(schema)
                        .getRecordReader(pages, new GroupRecordConverter(schema));
                for (long i = 0; i < pages.getRowCount(); i++) {
                    row++;
                    ObjectNode record = record(rows.read(), schema, classNames);
                    sink.accept(SourceItem.of(row, "row " + row, record.toString(), record));
                }
            }
        }
    }

    private static ObjectNode record(Group group, MessageType schema, Map<String, List<String>> classNames) {
        ObjectNode record = JsonNodeFactory.instance.objectNode();
        for (int f = 0; f < schema.getFieldCount(); f++) {
            Type type = schema.getType(f);
            if (!type.isPrimitive() || type.isRepetition(Type.Repetition.REPEATED)
                    || group.getFieldRepetitionCount(f) == 0) {
                continue;
            }
            String name = type.getName();
            switch (type.asPrimitiveType().getPrimitiveTypeName()) {
                case BINARY -> {
                    if (isString(type.asPrimitiveType())) {
                        record.put(name, group.getString(f, 0));
                    }
                }
                case INT32, INT64 -> {
                    long value = type.asPrimitiveType().getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.INT32
                            ? group.getInteger(f, 0) : group.getLong(f, 0);
                    List<String> names = classNames.get(name);
                    if (names != null && value >= 0 && value < names.size()) {
                        record.put(name, names.get((int) value));
                    } else {
                        record.put(name, value);
                    }
                }
                case BOOLEAN -> record.put(name, group.getBoolean(f, 0));
                case FLOAT -> record.put(name, group.getFloat(f, 0));
                case DOUBLE -> record.put(name, group.getDouble(f, 0));
                default -> {
                    // nested, binary and date/time columns are not text or labels: left out
                }
            }
        }
        return record;
    }

    private static boolean isString(PrimitiveType type) {
        LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
        return logical instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
                || logical instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation;
    }

    /** Column name to class names, from {"info": {"features": {"label": {"_type": "ClassLabel", "names": [...]}}}}. */
    static Map<String, List<String>> classLabels(String huggingface) {
        Map<String, List<String>> names = new HashMap<>();
        if (huggingface == null) {
            return names;
        }
        try {
            JsonNode features = Json.MAPPER.readTree(huggingface).path("info").path("features");
            features.fields().forEachRemaining(feature -> {
                JsonNode list = feature.getValue().path("names");
                if ("ClassLabel".equals(feature.getValue().path("_type").asText()) && list.isArray()) {
                    names.put(feature.getKey(), java.util.stream.StreamSupport.stream(list.spliterator(), false)
                            .map(JsonNode::asText).toList());
                }
            });
        } catch (IOException e) {
            // metadata that is not JSON only means the labels stay numbers
        }
        return names;
    }

    private ParquetRecords() {
    }
}

package io.finetune.ingest.formats;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.finetune.contracts.Json;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;

/** Streams a JSON array of records or JSON Lines, one record at a time, never holding the whole body. */
public final class JsonRecords {
    private static final ObjectReader TREE = Json.MAPPER.reader();

    /** @param maxChars longer lines are rejected as "too-large" without being parsed */
    public static void readLines(InputStream body, int maxChars, RecordSink sink) throws IOException {
        BufferedReader reader = new Utf8Lines(body);
        long line = 0;
        for (String text; (text = reader.readLine()) != null; ) {
            line++;
            if (text.isBlank()) {
                continue;
            }
            String source = "line " + line;
            if (text.length() > maxChars) {
                sink.accept(SourceItem.unreadable(line, source, text.substring(0, 1024), "too-large",
                        "the line is longer than " + maxChars + " characters"));
                continue;
            }
            sink.accept(item(line, source, text));
        }
    }

    public static void readArray(InputStream body, RecordSink sink) throws IOException {
        try (JsonParser parser = Json.MAPPER.getFactory().createParser(body)) {
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                throw new IOException("expected a JSON array of records, or JSON Lines with Content-Type"
                        + " application/x-ndjson");
            }
            long position = 0;
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                position++;
                JsonNode node = Json.MAPPER.readTree(parser);
                sink.accept(node.isObject()
                        ? SourceItem.of(position, "item " + position, node.toString(), (ObjectNode) node)
                        : notAnObject(position, "item " + position, node.toString()));
            }
        }
    }

    static SourceItem item(long line, String source, String text) {
        JsonNode node;
        try {
            node = TREE.readTree(text);
        } catch (IOException e) {
            return SourceItem.unreadable(line, source, text, "invalid-json", "not valid JSON");
        }
        return node != null && node.isObject() ? SourceItem.of(line, source, text, (ObjectNode) node)
                : notAnObject(line, source, text);
    }

    private static SourceItem notAnObject(long position, String source, String raw) {
        return SourceItem.unreadable(position, source, raw, "not-an-object", "a record must be a JSON object");
    }

    private JsonRecords() {
    }
}

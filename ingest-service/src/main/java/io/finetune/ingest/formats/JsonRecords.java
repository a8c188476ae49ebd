package io.finetune.ingest.rest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.finetune.contracts.Json;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;

/**
 * Streams the records of an upload one by one, never holding the whole body: a JSON array, or JSON Lines. Each
 * record comes with its 1-based line number (JSONL) or position (array) and either its tree or why it is unreadable.
 */
final class UploadReader {
    record Item(long line, String raw, JsonNode node, String error) {
    }

    static void readJsonLines(InputStream body, int maxBytes, BiConsumer<Long, Item> sink) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8), 1 << 16);
        long line = 0;
        for (String text; (text = reader.readLine()) != null; ) {
            line++;
            if (text.isBlank()) {
                continue;
            }
            if (text.length() > maxBytes) {
                sink.accept(line, new Item(line, text.substring(0, 1024), null, "too-large"));
                continue;
            }
            try {
                sink.accept(line, new Item(line, text, Json.MAPPER.readTree(text), null));
            } catch (IOException e) {
                sink.accept(line, new Item(line, text, null, "invalid-json"));
            }
        }
    }

    static void readJsonArray(InputStream body, BiConsumer<Long, Item> sink) throws IOException {
        try (JsonParser parser = Json.MAPPER.getFactory().createParser(body)) {
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                throw new IOException("expected a JSON array of records, or JSON Lines with Content-Type"
                        + " application/x-ndjson");
            }
            long position = 0;
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                position++;
                JsonNode node = Json.MAPPER.readTree(parser);
                sink.accept(position, new Item(position, node.toString(), node, null));
            }
        }
    }

    private UploadReader() {
    }
}

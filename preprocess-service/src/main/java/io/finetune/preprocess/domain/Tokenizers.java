package io.finetune.preprocess.domain;

import com.fasterxml.jackson.databind.JsonNode;
import io.finetune.contracts.Hashing;
import io.finetune.contracts.Json;
import io.finetune.distilbert.ModelResolver;
import io.finetune.distilbert.TextTokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tokenizer of a model, loaded once per model and length. Knows the model's position limit, so a requested
 * length beyond it is capped (longer inputs would not fit the model's position embeddings).
 */
public final class Tokenizers implements AutoCloseable {
    private final ModelResolver resolver;
    private final Map<String, Loaded> loaded = new ConcurrentHashMap<>();

    /**
     * A model's tokenizer, the length it truncates at, its identity for the manifest, and how much of a text it needs
     * to see.
     */
    public record Loaded(TextTokenizer tokenizer, int maxLength, String identity, TokenWindow window) {
        /** Loads the tokenizer of {@code dir}. */
        static Loaded of(Path dir, int maxLength, String identity) {
            return new Loaded(TextTokenizer.load(dir, maxLength), maxLength, identity, TokenWindow.of(dir, maxLength));
        }
    }

    public Tokenizers(ModelResolver resolver) {
        this.resolver = resolver;
    }

    public Loaded load(String model, int requestedMaxLength) {
        Path dir;
        try {
            dir = resolver.resolve(model);
        } catch (IllegalArgumentException e) {
            throw new PreparationFailure("unknown-model", e.getMessage());
        }
        int maxLength = Math.min(requestedMaxLength, maxPositions(dir));
        return loaded.computeIfAbsent(dir.toAbsolutePath() + "|" + maxLength,
                key -> Loaded.of(dir, maxLength, model + "@sha256:" + fingerprint(dir)));
    }

    static int maxPositions(Path modelDir) {
        Path config = modelDir.resolve("config.json");
        try {
            JsonNode json = Json.MAPPER.readTree(config.toFile());
            return json.path("max_position_embeddings").asInt(512);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + config, e);
        }
    }

    /** SHA-256 of tokenizer.json, or of vocab.txt where the model has only that. */
    private static String fingerprint(Path modelDir) {
        Path json = modelDir.resolve("tokenizer.json");
        Path source = Files.isRegularFile(json) ? json : modelDir.resolve("vocab.txt");
        try {
            return Hashing.sha256Hex(Files.readAllBytes(source));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + source, e);
        }
    }

    @Override
    public void close() {
        loaded.values().forEach(l -> l.tokenizer().close());
        loaded.clear();
    }
}

package io.finetune.distilbert;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Models shipped on the classpath under {@code models/<name>/} (the jar holds {@code distilbert-tiny}, the demo
 * model). Classpath directories cannot be listed portably inside a jar, so the files of a Hugging Face model
 * directory are looked up by name.
 */
public final class BundledModels {

    public static final String DEMO_MODEL = "distilbert-tiny";

    static final List<String> FILES = List.of("config.json", "model.safetensors", "tokenizer.json",
            "tokenizer_config.json", "vocab.txt", "special_tokens_map.json");

    private BundledModels() {}

    /** Whether a model of that name ships on the classpath. */
    public static boolean exists(String name) {
        return !name.contains("/") && !name.contains("..")
                && BundledModels.class.getClassLoader().getResource("models/" + name + "/config.json") != null;
    }

    /** Copies {@code models/<name>/*} to {@code target} (created if needed) and returns {@code target}. */
    public static Path extract(String name, Path target) {
        if (name.contains("/") || name.contains("..")) {
            throw new IllegalArgumentException("Invalid model name " + name);
        }
        ClassLoader loader = BundledModels.class.getClassLoader();
        try {
            Files.createDirectories(target);
            int copied = 0;
            for (String file : FILES) {
                try (InputStream in = loader.getResourceAsStream("models/" + name + "/" + file)) {
                    if (in != null) {
                        Files.copy(in, target.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                        copied++;
                    }
                }
            }
            if (copied == 0 || !Files.exists(target.resolve("config.json"))) {
                throw new IllegalArgumentException("No bundled model models/" + name + " on the classpath");
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot extract model " + name + " to " + target, e);
        }
    }
}

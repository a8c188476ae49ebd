package io.finetune.distilbert;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds a Hugging Face model directory by the name a user gives: a directory on disk, a model bundled in this jar
 * ({@code distilbert-tiny}), or a model already downloaded into the standard Hugging Face cache
 * ({@code $HF_HUB_CACHE}, else {@code $HF_HOME/hub}, else {@code ~/.cache/huggingface/hub}), so existing downloads
 * are reused. A model found nowhere is a clear error that names the places searched and how to provide it.
 */
public final class ModelResolver {
    /** Files without which a directory is not a usable model. */
    static final List<String> REQUIRED = List.of("config.json", "model.safetensors");

    private final Path bundledCache;
    private final Map<String, String> env;

    /** @param bundledCache where bundled models are unpacked */
    public ModelResolver(Path bundledCache) {
        this(bundledCache, System.getenv());
    }

    ModelResolver(Path bundledCache, Map<String, String> env) {
        this.bundledCache = bundledCache;
        this.env = env;
    }

    public Path resolve(String model) {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("no model named: give a model directory, a bundled model ("
                    + BundledModels.DEMO_MODEL + ") or a Hugging Face id such as distilbert-base-uncased");
        }
        List<String> searched = new ArrayList<>();
        Path direct = Path.of(model);
        if (Files.isDirectory(direct)) {
            return requireComplete(model, direct);
        }
        searched.add("directory " + direct.toAbsolutePath());
        if (BundledModels.exists(model)) {
            return BundledModels.extract(model, bundledCache.resolve(model));
        }
        searched.add("bundled models (" + BundledModels.DEMO_MODEL + ")");
        Path hubCache = hubCache();
        Path snapshot = snapshot(hubCache, model);
        if (snapshot != null) {
            return requireComplete(model, snapshot);
        }
        searched.add("Hugging Face cache " + hubCache.resolve(repoFolder(model)));
        throw new IllegalArgumentException("model '" + model + "' not found; searched " + String.join(", ", searched)
                + ". Provide it as a local directory (config.json, model.safetensors, tokenizer.json), or download"
                + " it into the Hugging Face cache (for example `huggingface-cli download " + model + "`)"
                + " where a network is available.");
    }

    public Path hubCache() {
        if (env.get("HF_HUB_CACHE") != null) {
            return Path.of(env.get("HF_HUB_CACHE"));
        }
        if (env.get("HF_HOME") != null) {
            return Path.of(env.get("HF_HOME"), "hub");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "huggingface", "hub");
    }

    /** The cache layout: models--ORG--NAME/snapshots/REV, REV read from refs/main when present. */
    private static Path snapshot(Path hubCache, String model) {
        Path repo = hubCache.resolve(repoFolder(model));
        Path snapshots = repo.resolve("snapshots");
        if (!Files.isDirectory(snapshots)) {
            return null;
        }
        try {
            Path ref = repo.resolve("refs").resolve("main");
            if (Files.isRegularFile(ref)) {
                Path pinned = snapshots.resolve(Files.readString(ref).trim());
                if (Files.isDirectory(pinned)) {
                    return pinned;
                }
            }
            try (var revisions = Files.list(snapshots)) {
                return revisions.filter(Files::isDirectory).findFirst().orElse(null);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String repoFolder(String model) {
        return "models--" + model.replace("/", "--");
    }

    private static Path requireComplete(String model, Path dir) {
        List<String> missing = REQUIRED.stream().filter(f -> !Files.isRegularFile(dir.resolve(f))).toList();
        if (!Files.isRegularFile(dir.resolve("tokenizer.json")) && !Files.isRegularFile(dir.resolve("vocab.txt"))) {
            missing = new ArrayList<>(missing);
            missing.add("tokenizer.json or vocab.txt");
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("model '" + model + "' at " + dir + " is incomplete: missing "
                    + String.join(", ", missing));
        }
        return dir;
    }
}

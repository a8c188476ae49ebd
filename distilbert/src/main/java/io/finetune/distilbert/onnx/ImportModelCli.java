package io.finetune.distilbert.onnx;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code ImportModelCli SOURCE OUT_DIR [--tokenizer FILE]}: writes the Hugging Face model directory {@code OUT_DIR}
 * from an ONNX export of a BERT encoder. SOURCE is an {@code .onnx} file (its tokenizer given with
 * {@code --tokenizer}, else {@code tokenizer.json} beside it), a jar holding one export and its tokenizer, or a short
 * name of {@link KnownOnnxModels} found in the local Maven repository. Prints what was mapped.
 */
public final class ImportModelCli {
    static final String USAGE = "usage: import-model SOURCE OUT_DIR [--tokenizer FILE]\n"
            + "  SOURCE: an .onnx file (with --tokenizer FILE, else tokenizer.json beside it), a jar that holds one,\n"
            + "          or one of " + KnownOnnxModels.ALL.stream().map(KnownOnnxModels.Known::name)
                    .collect(Collectors.joining(", ")) + " (from the local Maven repository)";

    private ImportModelCli() {}

    public static void main(String[] args) {
        try {
            run(args, System.out);
        } catch (IllegalArgumentException e) {
            System.err.println("import-model: " + e.getMessage());
            System.exit(2);
        }
    }

    static ImportReport run(String[] args, PrintStream out) {
        List<String> positional = new ArrayList<>();
        Path tokenizer = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--tokenizer") && i + 1 < args.length) {
                tokenizer = Path.of(args[++i]);
            } else if (args[i].startsWith("-")) {
                throw new IllegalArgumentException("unknown option " + args[i] + "\n" + USAGE);
            } else {
                positional.add(args[i]);
            }
        }
        if (positional.size() != 2) {
            throw new IllegalArgumentException(USAGE);
        }
        Path target = Path.of(positional.get(1));
        if (Files.exists(target)) {
            throw new IllegalArgumentException(target + " already exists; give a new directory");
        }
        ImportReport report = importer(positional.get(0), tokenizer).writeTo(target);
        report.lines().forEach(out::println);
        return report;
    }

    static OnnxBertImporter importer(String source, Path tokenizer) {
        Path path = Path.of(source);
        if (Files.isRegularFile(path) && source.endsWith(".jar")) {
            return OnnxBertImporter.fromJar(path);
        }
        if (Files.isRegularFile(path)) {
            Path beside = path.toAbsolutePath().resolveSibling("tokenizer.json");
            Path chosen = tokenizer != null ? tokenizer : beside;
            if (!Files.isRegularFile(chosen)) {
                throw new IllegalArgumentException("no tokenizer for " + path + ": give --tokenizer FILE"
                        + (tokenizer == null ? " (there is no " + beside + ")" : " (" + tokenizer + " is no file)"));
            }
            return OnnxBertImporter.fromFiles(path, chosen);
        }
        KnownOnnxModels.rejectQuantized(source);
        KnownOnnxModels.Known known = KnownOnnxModels.find(source).orElseThrow(() -> new IllegalArgumentException(
                source + " is neither a file nor a known model name\n" + USAGE));
        MavenLocalRepository repository = MavenLocalRepository.fromEnvironment(System.getenv());
        MavenLocalRepository.Jar jar = repository.newest(KnownOnnxModels.GROUP_ID, known.artifactId())
                .orElseThrow(() -> OnnxModelCache.notInRepository(known, repository));
        return OnnxBertImporter.fromJar(jar.path(), known.onnxEntry(), known.tokenizerEntry());
    }
}

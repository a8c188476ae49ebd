package io.finetune.distilbert.onnx;

import io.finetune.distilbert.onnx.proto.ModelProto;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Turns an ONNX export of a BERT encoder (as PyTorch's exporter writes it for transformers' {@code BertModel}, for
 * example the all-MiniLM-L6-v2, BGE and E5 exports that langchain4j ships in jars) into a Hugging Face model
 * directory: {@code config.json}, {@code model.safetensors} and the tokenizer. Everything is checked before anything
 * is written; what cannot be mapped exactly (quantized weights, unexpected operators, a weight without its named
 * bias, a different activation) is an {@link IllegalArgumentException} that names what was found.
 */
public final class OnnxBertImporter {
    private final ModelProto model;
    private final byte[] tokenizerJson;
    private final String source;

    private OnnxBertImporter(ModelProto model, byte[] tokenizerJson, String source) {
        this.model = model;
        this.tokenizerJson = tokenizerJson;
        this.source = source;
    }

    public static OnnxBertImporter fromFiles(Path onnx, Path tokenizerJson) {
        try {
            return new OnnxBertImporter(OnnxModelReader.read(onnx), Files.readAllBytes(tokenizerJson), onnx.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + tokenizerJson, e);
        }
    }

    public static OnnxBertImporter fromJar(Path jar, String onnxEntry, String tokenizerEntry) {
        return new OnnxBertImporter(OnnxModelReader.readJarEntry(jar, onnxEntry),
                OnnxModelReader.readJarBytes(jar, tokenizerEntry), jar.getFileName() + "!/" + onnxEntry);
    }

    /** A jar holding one {@code .onnx} export and one {@code tokenizer.json}, whatever their names. */
    public static OnnxBertImporter fromJar(Path jar) {
        JarEntries.Pair entries = JarEntries.find(jar);
        return fromJar(jar, entries.onnx(), entries.tokenizer());
    }

    static OnnxBertImporter of(ModelProto model, byte[] tokenizerJson, String source) {
        return new OnnxBertImporter(model, tokenizerJson, source);
    }

    /**
     * Writes the model directory {@code target}, which must not exist yet (or be empty). The files are written into a
     * temporary sibling that is renamed to {@code target} at the end, so a crash never leaves a half-written model
     * where a reader would take it for a whole one.
     */
    public ImportReport writeTo(Path target) {
        OnnxGraph graph = new OnnxGraph(model.getGraph());
        SupportedOps.check(graph);
        BertDimensions dimensions = BertDimensions.read(graph);
        BertWeights weights = BertWeights.read(graph, dimensions);
        ImportReport.TensorCounts counts = weights.counts();
        TokenizerFiles tokenizer = TokenizerFiles.parse(tokenizerJson, source + "'s tokenizer");
        tokenizer.requireFits(dimensions.vocabSize());
        Map<String, Object> config = HfBertConfig.of(dimensions, tokenizer.padTokenId());

        Path absolute = target.toAbsolutePath();
        Path staging = null;
        try {
            Files.createDirectories(absolute.getParent());
            staging = Files.createTempDirectory(absolute.getParent(), "." + absolute.getFileName() + ".importing-");
            readableByAll(staging); // a temporary directory starts private; the model directory should not be
            TokenizerFiles.JSON.writeValue(staging.resolve("config.json").toFile(), config);
            SafetensorsWriter.write(staging.resolve("model.safetensors"), weights.tensors());
            tokenizer.write(staging, dimensions.maxPositions());
            Files.move(staging, absolute, StandardCopyOption.ATOMIC_MOVE);
            staging = null;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the imported model to " + absolute, e);
        } finally {
            deleteQuietly(staging);
        }
        String producer = (model.getProducerName() + " " + model.getProducerVersion()).trim();
        return new ImportReport(source, producer.isEmpty() ? "an unnamed exporter" : producer, absolute, dimensions,
                counts);
    }

    private static void readableByAll(Path dir) throws IOException {
        if (Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class)) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a leftover staging directory is hidden and never taken for a model
        }
    }
}

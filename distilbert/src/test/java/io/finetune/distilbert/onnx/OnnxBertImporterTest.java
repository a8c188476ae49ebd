package io.finetune.distilbert.onnx;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.finetune.distilbert.EncoderClassifier;
import io.finetune.distilbert.TextTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real thing: all-MiniLM-L6-v2 from langchain4j's jar (a test dependency, so the build has put it into the local
 * Maven repository), imported through the short-name cache, must compute what ONNX Runtime computes on the export.
 */
class OnnxBertImporterTest {
    static final List<String> TEXTS = List.of(
            "The film was a quiet triumph: patient, funny and sad in equal measure.",
            "Terrible.",
            "A hospital in Dublin said on Tuesday that the patient had recovered well after surgery and would go"
                    + " home by the end of the week, according to a statement released to reporters.",
            "Unbelievably, the café's crème brûlée wasn't as good as 2019's — 3/10, would not order again!");

    @TempDir
    static Path tmp;
    static final KnownOnnxModels.Known KNOWN = KnownOnnxModels.find("all-minilm-l6-v2").orElseThrow();
    static MavenLocalRepository repository;
    static Path modelDir;

    @BeforeAll
    static void importFromTheLocalMavenRepository() throws Exception {
        URL entry = OnnxBertImporterTest.class.getClassLoader().getResource(KNOWN.onnxEntry());
        assertThat(entry).as("the langchain4j jar is a test dependency").isNotNull();
        Path jar = Path.of(((JarURLConnection) entry.openConnection()).getJarFileURL().toURI());
        // <root>/dev/langchain4j/<artifactId>/<version>/<artifactId>-<version>.jar
        repository = new MavenLocalRepository(jar.getParent().getParent().getParent().getParent().getParent());
        modelDir = new OnnxModelCache(tmp, repository).resolve(KNOWN);
    }

    /**
     * ONNX Runtime (1.23) unpacks its native libraries into a new {@code onnxruntime-java*} directory under
     * java.io.tmpdir and only asks for the files to be deleted on exit, so every run would leave the directory behind.
     * The libraries this JVM loaded say which directory is its own; Linux keeps a loaded library usable once deleted.
     */
    @AfterAll
    static void removeOnnxRuntimesTempDirectory() throws IOException {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return;
        }
        Set<Path> dirs = Files.readAllLines(maps).stream().filter(line -> line.contains("/onnxruntime-java"))
                .map(line -> Path.of(line.substring(line.indexOf('/')).replace(" (deleted)", "")).getParent())
                .collect(Collectors.toSet());
        for (Path dir : dirs) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(dir);
        }
    }

    @Test
    void theImportComputesTheHiddenStatesThatOnnxRuntimeComputesOnTheExport() throws Exception {
        long[][] ids;
        try (TextTokenizer tokenizer = TextTokenizer.load(modelDir, 128)) {
            ids = tokenizer.encodeBatch(TEXTS).stream().map(TextTokenizer.Encoded::inputIds).toArray(long[][]::new);
        }
        int length = 0;
        for (long[] row : ids) {
            length = Math.max(length, row.length);
        }
        long[][] paddedIds = new long[ids.length][length]; // [PAD] is id 0, like the zero mask
        long[][] mask = new long[ids.length][length];
        for (int b = 0; b < ids.length; b++) {
            System.arraycopy(ids[b], 0, paddedIds[b], 0, ids[b].length);
            Arrays.fill(mask[b], 0, ids[b].length, 1);
        }
        assertThat(ids[1].length).as("the batch is padded").isLessThan(length / 4);

        float[][][] reference = onnxRuntime(paddedIds, mask);
        float[] imported = imported(paddedIds, mask);

        int hidden = reference[0][0].length;
        assertThat(hidden).isEqualTo(384);
        double maxDiff = 0;
        for (int b = 0; b < ids.length; b++) {
            for (int t = 0; t < ids[b].length; t++) { // real tokens; what padding positions hold is meaningless
                for (int h = 0; h < hidden; h++) {
                    maxDiff = Math.max(maxDiff, Math.abs(reference[b][t][h] - imported[(b * length + t) * hidden + h]));
                }
            }
        }
        System.out.printf("all-minilm-l6-v2: max abs difference to ONNX Runtime over real tokens: %.3g%n", maxDiff);
        assertThat(maxDiff).isLessThan(1e-4);
    }

    @Test
    void theDirectoryIsImportedOnceAndReused() throws Exception {
        long written = Files.getLastModifiedTime(modelDir.resolve("model.safetensors")).toMillis();
        assertThat(new OnnxModelCache(tmp, repository).resolve(KNOWN)).isEqualTo(modelDir);
        assertThat(Files.getLastModifiedTime(modelDir.resolve("model.safetensors")).toMillis()).isEqualTo(written);
        assertThat(modelDir.getFileName().toString()).startsWith("all-minilm-l6-v2-");
    }

    private static float[][][] onnxRuntime(long[][] ids, long[][] mask) throws Exception {
        Path jar = repository.newest(KnownOnnxModels.GROUP_ID, KNOWN.artifactId()).orElseThrow().path();
        byte[] export = OnnxModelReader.readJarBytes(jar, KNOWN.onnxEntry());
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(export, options);
                 OnnxTensor inputIds = OnnxTensor.createTensor(env, ids);
                 OnnxTensor attention = OnnxTensor.createTensor(env, mask);
                 OnnxTensor types = OnnxTensor.createTensor(env, new long[ids.length][ids[0].length]);
                 OrtSession.Result result = session.run(Map.of("input_ids", inputIds, "attention_mask", attention,
                         "token_type_ids", types))) {
                return (float[][][]) result.get("last_hidden_state").orElseThrow().getValue();
            }
        }
    }

    private static float[] imported(long[][] ids, long[][] mask) {
        int batch = ids.length;
        int length = ids[0].length;
        long[] flatIds = new long[batch * length];
        long[] flatMask = new long[batch * length];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(ids[b], 0, flatIds, b * length, length);
            System.arraycopy(mask[b], 0, flatMask, b * length, length);
        }
        try (EncoderClassifier model = EncoderClassifier.load(modelDir, null, Device.cpu());
             NDManager scope = model.newBatchManager()) {
            NDArray inputIds = scope.create(flatIds, new Shape(batch, length));
            NDArray attention = scope.create(flatMask, new Shape(batch, length));
            return model.hiddenStates(inputIds, attention, false).toFloatArray();
        }
    }
}

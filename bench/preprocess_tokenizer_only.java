// The baseline of bench/preprocess-throughput: the same tokenizer the service uses (TextTokenizer over DJL's
// HuggingFaceTokenizer.batchEncode), the same length and batch size, on the same texts, with nothing else around it:
// no Kafka, no spool, no cleaning. Run as a single-file source program on preprocess-service's packaged classpath.
// Measured twice: on the whole texts (plain batchEncode), and on the texts cut by the service's TokenWindow (what the
// service hands the tokenizer), so the cost of everything around tokenization can be read off either way.
// Args: TEXTS_FILE (one text per line) MODEL_CACHE_DIR MODEL MAX_LENGTH BATCH.
// Prints: WHOLE_RECORDS_PER_S WINDOWED_RECORDS_PER_S MAX_LENGTH.

import io.finetune.distilbert.ModelResolver;
import io.finetune.distilbert.TextTokenizer;
import io.finetune.preprocess.domain.TokenWindow;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

public class PreprocessTokenizerOnly {
    public static void main(String[] args) throws Exception {
        List<String> texts = Files.readAllLines(Path.of(args[0]));
        Path modelDir = new ModelResolver(Path.of(args[1])).resolve(args[2]);
        int batch = Integer.parseInt(args[4]);
        // Capped at the model's positions exactly as the service's Tokenizers does.
        String config = Files.readString(modelDir.resolve("config.json"));
        int positions = Integer.parseInt(config.replaceAll("(?s).*\"max_position_embeddings\"\\s*:\\s*(\\d+).*", "$1"));
        int maxLength = Math.min(Integer.parseInt(args[3]), positions);
        List<String> windowed = texts.stream().map(TokenWindow.of(modelDir, maxLength)::cut).toList();
        try (TextTokenizer tokenizer = TextTokenizer.load(modelDir, maxLength)) {
            run(tokenizer, texts.subList(0, Math.min(texts.size(), 5_000)), batch); // warm-up
            System.out.println(rate(tokenizer, texts, batch) + " " + rate(tokenizer, windowed, batch) + " "
                    + maxLength);
        }
    }

    static long rate(TextTokenizer tokenizer, List<String> texts, int batch) {
        long start = System.nanoTime();
        run(tokenizer, texts, batch);
        return Math.round(texts.size() / ((System.nanoTime() - start) / 1e9));
    }

    static long run(TextTokenizer tokenizer, List<String> texts, int batch) {
        long ids = 0;
        for (int from = 0; from < texts.size(); from += batch) {
            for (TextTokenizer.Encoded e : tokenizer.encodeBatch(texts.subList(from, Math.min(texts.size(),
                    from + batch)))) {
                ids += e.intIds().length;
            }
        }
        return ids;
    }
}

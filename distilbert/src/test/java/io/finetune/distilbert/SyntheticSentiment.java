package io.finetune.distilbert;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A learnable toy task from words of the tiny vocabulary: one sentiment word decides the label. */
final class SyntheticSentiment {

    private static final List<String> POSITIVE =
            List.of("great", "good", "wonderful", "brilliant", "loved", "amazing", "fun", "best");
    private static final List<String> NEGATIVE =
            List.of("bad", "terrible", "awful", "boring", "hated", "worst", "dull", "waste");
    private static final List<String> FILLER =
            List.of("the", "movie", "film", "story", "plot", "acting", "was", "is", "this", "it", "very", "really",
                    "scene", "director", "and", "of");

    private SyntheticSentiment() {}

    static List<Example> examples(Path modelDir, int count, long seed) {
        Random random = new Random(seed);
        List<String> texts = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int label = i % 2;
            List<String> words = new ArrayList<>();
            List<String> sentiment = label == 1 ? POSITIVE : NEGATIVE;
            int strong = 2 + random.nextInt(3);
            for (int w = 0; w < strong; w++) {
                words.add(sentiment.get(random.nextInt(sentiment.size())));
            }
            int fillers = random.nextInt(3);
            for (int w = 0; w < fillers; w++) {
                words.add(random.nextInt(words.size() + 1), FILLER.get(random.nextInt(FILLER.size())));
            }
            texts.add(String.join(" ", words));
            labels.add(label);
        }
        List<Example> examples = new ArrayList<>();
        try (TextTokenizer tokenizer = TextTokenizer.load(modelDir, 64)) {
            List<TextTokenizer.Encoded> encoded = tokenizer.encodeBatch(texts);
            for (int i = 0; i < count; i++) {
                examples.add(new Example(encoded.get(i).intIds(), labels.get(i)));
            }
        }
        return examples;
    }
}

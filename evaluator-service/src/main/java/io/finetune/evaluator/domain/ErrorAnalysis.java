package io.finetune.evaluator.domain;

import io.finetune.contracts.TokenizedExample;
import io.finetune.distilbert.metrics.ClassificationMetrics;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/** The test examples a checkpoint got wrong, most confident first: a label-noise check a person can do by reading. */
final class ErrorAnalysis {
    static final int SHOWN = 10;

    record Errors(List<WrongExample> mostConfident, int highConfidence) {
    }

    static Errors of(List<TokenizedExample> examples, float[][] probabilities, List<String> labels, Path modelDir) {
        List<Integer> wrong = IntStream.range(0, examples.size())
                .filter(i -> ClassificationMetrics.argmax(probabilities[i]) != examples.get(i).label())
                .boxed().sorted(Comparator.comparingDouble((Integer i) -> confidence(probabilities[i])).reversed())
                .toList();
        int high = (int) wrong.stream()
                .filter(i -> confidence(probabilities[i]) >= EvaluatedCheckpoint.HIGH_CONFIDENCE).count();
        try (TokenDecoder decoder = new TokenDecoder(modelDir)) {
            List<WrongExample> shown = wrong.stream().limit(SHOWN).map(i -> {
                TokenizedExample e = examples.get(i);
                int predicted = ClassificationMetrics.argmax(probabilities[i]);
                return new WrongExample(e.id(), labels.get(e.label()), labels.get(predicted),
                        probabilities[i][predicted], e.inputIds().length, decoder.decode(e.inputIds()));
            }).toList();
            return new Errors(shown, high);
        }
    }

    private static double confidence(float[] row) {
        return row[ClassificationMetrics.argmax(row)];
    }

    private ErrorAnalysis() {
    }
}

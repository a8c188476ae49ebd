package io.finetune.local.data;

import java.util.List;

/**
 * How {@link BrownCorpus#split} divides the corpus.
 *
 * @param seed which documents land in which split, and which paragraphs a cap keeps
 * @param validationFraction share of each genre's documents held out for validation (at least one when above 0)
 * @param testFraction share of each genre's documents held out for testing (at least one when above 0)
 * @param genres the genres to keep; empty keeps all fifteen
 * @param trainPerClass at most this many training paragraphs per genre, drawn at random; 0 keeps all
 * @param evalPerClass at most this many validation and this many test paragraphs per genre; 0 keeps all
 */
public record SplitOptions(long seed, double validationFraction, double testFraction, List<String> genres,
                           int trainPerClass, int evalPerClass) {
    public SplitOptions {
        genres = List.copyOf(genres);
        if (!(validationFraction >= 0 && testFraction >= 0 && validationFraction + testFraction < 1)) {
            throw new IllegalArgumentException("validation " + validationFraction + " and test " + testFraction
                    + " fractions must be >= 0 and leave documents to train on");
        }
        if (trainPerClass < 0 || evalPerClass < 0) {
            throw new IllegalArgumentException("per-class caps must be >= 0 (0: no cap)");
        }
    }

    /** Seed 42, 10% of each genre's documents for validation, 20% for test, every genre, no caps. */
    public static SplitOptions defaults() {
        return new SplitOptions(42, 0.1, 0.2, List.of(), 0, 0);
    }

    public SplitOptions withSeed(long value) {
        return new SplitOptions(value, validationFraction, testFraction, genres, trainPerClass, evalPerClass);
    }

    public SplitOptions withFractions(double validation, double test) {
        return new SplitOptions(seed, validation, test, genres, trainPerClass, evalPerClass);
    }

    public SplitOptions withGenres(List<String> value) {
        return new SplitOptions(seed, validationFraction, testFraction, value, trainPerClass, evalPerClass);
    }

    public SplitOptions withTrainPerClass(int value) {
        return new SplitOptions(seed, validationFraction, testFraction, genres, value, evalPerClass);
    }

    public SplitOptions withEvalPerClass(int value) {
        return new SplitOptions(seed, validationFraction, testFraction, genres, trainPerClass, value);
    }
}

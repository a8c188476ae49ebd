package io.finetune.contracts;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * How a sealed dataset is cleaned, split and tokenized. Every field may be null: preprocess-service then uses its
 * configured default, and the manifest records the values actually used. {@link #problems()} holds the rules every
 * value must meet, in one place: ingest checks a seal's options with them before it seals anything, and preprocess
 * checks the options resolved over its defaults (which ingest does not know) before it prepares.
 *
 * @param model              the model whose tokenizer to use (bundled name, directory or Hugging Face id), or
 *                           {@code scratch} / {@code scratch:<vocabSize>} for a vocabulary built from the train split
 * @param maxLength          tokens per example after truncation, [CLS] and [SEP] included
 * @param balance            "none", "undersample" or "oversample" (any case)
 * @param validationFraction share of records held out for validation when the source gives no split
 * @param testFraction       share of records held out for the test when the source gives no split
 * @param seed               seed of the split and of resampling, so the same input gives the same shards
 * @param holdoutFraction    share of records set aside as the promotion holdout (docs/serving.md#promotion), chosen
 *                           by a hash of each record's text and the seed so that later versions of the dataset keep
 *                           the same members; null or 0: no holdout
 */
public record PreprocessOptions(String model, Integer maxLength, String balance, Double validationFraction,
                                Double testFraction, Long seed, Double holdoutFraction) {
    public static final List<String> BALANCE_MODES = List.of("none", "undersample", "oversample");
    /** Bounds of {@code scratch:<vocabSize>}: room for the special tokens and an alphabet, and a sane upper end. */
    public static final int MIN_SCRATCH_VOCAB = 64;
    public static final int MAX_SCRATCH_VOCAB = 1_000_000;
    private static final String SIZED_SCRATCH = "scratch:";

    /** Options without a promotion holdout, as every dataset sealed before it existed. */
    public PreprocessOptions(String model, Integer maxLength, String balance, Double validationFraction,
                             Double testFraction, Long seed) {
        this(model, maxLength, balance, validationFraction, testFraction, seed, null);
    }

    public static PreprocessOptions defaults() {
        return new PreprocessOptions(null, null, null, null, null, null, null);
    }

    /** Every given value that breaks a rule, each naming its field and how to put it right; empty when all are fine. */
    public List<FieldProblem> problems() {
        List<FieldProblem> problems = new ArrayList<>();
        if (model != null && model.startsWith(SIZED_SCRATCH) && scratchVocabSize(model).isEmpty()) {
            problems.add(new FieldProblem("model", "'" + model + "': the vocabulary size after 'scratch:' must be a"
                    + " whole number from " + MIN_SCRATCH_VOCAB + " to " + MAX_SCRATCH_VOCAB
                    + ", or leave it out ('scratch') for preprocess's default size"));
        }
        if (maxLength != null && maxLength < 2) {
            problems.add(new FieldProblem("maxLength", maxLength + " leaves no room for [CLS] and [SEP]: give 2 or"
                    + " more (the model's position limit caps larger values)"));
        }
        if (balance != null && !BALANCE_MODES.contains(balance.toLowerCase(Locale.ROOT))) {
            problems.add(new FieldProblem("balance", "'" + balance + "' is not one of "
                    + String.join(", ", BALANCE_MODES)));
        }
        // '&', not '&&': a bad validationFraction must not hide a bad testFraction.
        boolean fractionsValid = fraction("validationFraction", validationFraction, problems)
                & fraction("testFraction", testFraction, problems);
        // Drawn before validation and test, from what is left after it: it adds no rule on their sum.
        fraction("holdoutFraction", holdoutFraction, problems);
        if (fractionsValid && validationFraction != null && testFraction != null
                && validationFraction + testFraction >= 1) {
            problems.add(new FieldProblem("validationFraction+testFraction", "validationFraction " + validationFraction
                    + " and testFraction " + testFraction + " hold out every record: together they must stay below 1,"
                    + " so that records are left to train on"));
        }
        return problems;
    }

    /** The size {@code scratch:<size>} asks for; empty for any other model and for a size out of bounds. */
    public static OptionalInt scratchVocabSize(String model) {
        if (!model.startsWith(SIZED_SCRATCH)) {
            return OptionalInt.empty();
        }
        try {
            int size = Integer.parseInt(model.substring(SIZED_SCRATCH.length()));
            return size >= MIN_SCRATCH_VOCAB && size <= MAX_SCRATCH_VOCAB ? OptionalInt.of(size) : OptionalInt.empty();
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /** @return false when the share is given and is not one (NaN included) */
    private static boolean fraction(String field, Double share, List<FieldProblem> problems) {
        if (share == null || share >= 0 && share < 1) {
            return true;
        }
        problems.add(new FieldProblem(field, share + " is not a share of the records: give a number from 0 up to,"
                + " but not including, 1 (0.1 holds out a tenth)"));
        return false;
    }
}

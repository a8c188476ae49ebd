package io.finetune.preprocess.domain;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Step 5: the promotion holdout, then a stratified, seeded train/validation/test split of the rest.
 *
 * <p>The holdout ({@link Holdout}) is chosen record by record, by a hash of the record's text and the seed, from the
 * records the source leaves unsplit or marks as train: whether a record is in it depends on nothing else, so a later
 * version of the dataset with more records keeps every earlier member, and a model promoted on one version is judged
 * on the same texts in the next. A split the source gives as validation or test is never thinned by it.
 *
 * <p> A split the source already gives is kept (IMDB's test set
 * stays the test set); a split the source does not give at all is drawn from its train records, so IMDB's validation
 * set comes out of its train set only. Records without a split are divided by the fractions. Each label is divided on
 * its own, so every split keeps the label proportions.
 */
final class Splitter {
    private final double validationFraction;
    private final double testFraction;
    private final long seed;
    private final Holdout holdout;

    Splitter(double validationFraction, double testFraction, long seed) {
        this(validationFraction, testFraction, seed, 0);
    }

    Splitter(double validationFraction, double testFraction, long seed, double holdoutFraction) {
        this.validationFraction = validationFraction;
        this.testFraction = testFraction;
        this.seed = seed;
        this.holdout = new Holdout(holdoutFraction, seed);
    }

    /** @param entries sorted by id; the result lists each split sorted by id */
    Map<String, List<Entry>> split(List<Entry> entries) {
        Map<String, List<Entry>> out = new LinkedHashMap<>();
        Splits.ALL.forEach(s -> out.put(s, new ArrayList<>()));
        if (holdout.drawn()) { // only then: a dataset without a holdout keeps its split map, build and counts
            out.put(Splits.HOLDOUT, new ArrayList<>());
        }
        Set<String> given = new HashSet<>();
        List<Entry> unsplit = new ArrayList<>();
        List<Entry> givenTrain = new ArrayList<>();
        for (Entry e : entries) {
            boolean mayHoldOut = e.givenSplit == null || Splits.TRAIN.equals(e.givenSplit);
            if (e.givenSplit != null) {
                given.add(e.givenSplit);
            }
            if (mayHoldOut && holdout.contains(e.normalisedHash)) {
                out.get(Splits.HOLDOUT).add(e);
            } else if (e.givenSplit == null) {
                unsplit.add(e);
            } else {
                (Splits.TRAIN.equals(e.givenSplit) ? givenTrain : out.get(e.givenSplit)).add(e);
            }
        }
        // Separate seeds per group: adding unsplit records does not reshuffle the carve-out of the given train set.
        divide(unsplit, validationFraction, testFraction, new Random(seed), out);
        divide(givenTrain, given.contains(Splits.VALIDATION) ? 0 : validationFraction,
                given.contains(Splits.TEST) ? 0 : testFraction, new Random(seed + 1), out);
        out.values().forEach(list -> list.sort(Comparator.comparing((Entry e) -> e.id)));
        return out;
    }

    private static void divide(List<Entry> entries, double validation, double test, Random random,
                               Map<String, List<Entry>> out) {
        Map<String, List<Entry>> byLabel = new TreeMap<>(); // label order fixed, so the random draws are too
        for (Entry e : entries) {
            byLabel.computeIfAbsent(e.label, l -> new ArrayList<>()).add(e);
        }
        for (List<Entry> group : byLabel.values()) {
            Collections.shuffle(group, random);
            int n = group.size();
            int nValidation = (int) Math.round(n * validation);
            int nTest = Math.min(n - nValidation, (int) Math.round(n * test));
            out.get(Splits.VALIDATION).addAll(group.subList(0, nValidation));
            out.get(Splits.TEST).addAll(group.subList(nValidation, nValidation + nTest));
            out.get(Splits.TRAIN).addAll(group.subList(nValidation + nTest, n));
        }
    }
}

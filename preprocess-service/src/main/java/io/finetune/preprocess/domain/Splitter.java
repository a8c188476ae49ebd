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
 *
 * <p>A continuous dataset ({@code stable}) is split record by record instead, so that a record's split never depends
 * on the other records: after the holdout, a record the source leaves unsplit goes to the test split when a hash of
 * its normalised text (the holdout's, with another salt) and the seed falls below {@code testFraction}, to the
 * validation split when it falls below {@code testFraction + validationFraction}, else to train. So a record is in
 * the same split in every version of the dataset, and the test split of version k is part of that of version k + 1:
 * evaluations on it stay comparable. Records the source gives a split keep it (none is carved out of a given train
 * split: whether to carve would depend on whether any record gives a test split). The shares are the fractions in
 * expectation, not exactly, and are not stratified by label (over hundreds of records they come out close).
 */
final class Splitter {
    /** Mixed into the text hash for the split draw, so that it is independent of the holdout draw. */
    private static final long SPLIT_SALT = 0x5DEECE66DL;
    private final double validationFraction;
    private final double testFraction;
    private final long seed;
    private final Holdout holdout;
    private final boolean stable;

    Splitter(double validationFraction, double testFraction, long seed) {
        this(validationFraction, testFraction, seed, 0);
    }

    Splitter(double validationFraction, double testFraction, long seed, double holdoutFraction) {
        this(validationFraction, testFraction, seed, holdoutFraction, false);
    }

    /** @param stable split each record by a hash of its own text, as a continuous dataset's records are */
    Splitter(double validationFraction, double testFraction, long seed, double holdoutFraction, boolean stable) {
        this.validationFraction = validationFraction;
        this.testFraction = testFraction;
        this.seed = seed;
        this.holdout = new Holdout(holdoutFraction, seed);
        this.stable = stable;
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
        if (stable) {
            unsplit.forEach(e -> out.get(draw(e)).add(e));
            out.get(Splits.TRAIN).addAll(givenTrain);
            out.values().forEach(list -> list.sort(Comparator.comparing((Entry e) -> e.id)));
            return out;
        }
        // Separate seeds per group: adding unsplit records does not reshuffle the carve-out of the given train set.
        divide(unsplit, validationFraction, testFraction, new Random(seed), out);
        divide(givenTrain, given.contains(Splits.VALIDATION) ? 0 : validationFraction,
                given.contains(Splits.TEST) ? 0 : testFraction, new Random(seed + 1), out);
        out.values().forEach(list -> list.sort(Comparator.comparing((Entry e) -> e.id)));
        return out;
    }

    /** The split of an unsplit record of a continuous dataset: from its text and the seed alone. */
    private String draw(Entry e) {
        double position = Holdout.position(e.normalisedHash ^ SPLIT_SALT, seed);
        return position < testFraction ? Splits.TEST
                : position < testFraction + validationFraction ? Splits.VALIDATION : Splits.TRAIN;
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

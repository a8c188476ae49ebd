package io.finetune.preprocess.domain;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The promotion holdout: drawn per record by a hash of its text, so it is stable as a dataset grows. */
class HoldoutSplitTest {
    /** A record whose normalised-text hash is the real one of its text, as the preparer computes it. */
    private static Entry entry(String id, String label, String split, String text) {
        long hash = TextHash.of(text);
        return new Entry(id, label, split, 0, 0, hash, hash, hash);
    }

    private static List<Entry> reviews(int from, int to) {
        List<Entry> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(entry(String.format("r%05d", i), i % 3 == 0 ? "pos" : "neg", null, "review number " + i));
        }
        return out;
    }

    private static Set<String> ids(List<Entry> entries) {
        return entries.stream().map(e -> e.id).collect(Collectors.toSet());
    }

    @Test
    void aLaterVersionWithMoreRecordsKeepsEveryHoldoutMember() {
        List<Entry> old = reviews(0, 1000);
        Map<String, List<Entry>> first = new Splitter(0.1, 0.1, 42, 0.2).split(old);
        // A new version: one new record after each old one once sorted by id (as the preparer sorts them), and one
        // before them all, so that any draw depending on position or count would move.
        List<Entry> grown = new ArrayList<>(old);
        for (int i = 0; i < 1000; i++) {
            grown.add(entry(String.format("r%05d-v2", i), i % 2 == 0 ? "pos" : "neg", null, "new review " + i));
        }
        grown.add(entry("a-first", "pos", null, "a record that sorts before all others"));
        grown.sort(Comparator.comparing((Entry e) -> e.id));
        Map<String, List<Entry>> second = new Splitter(0.1, 0.1, 42, 0.2).split(grown);

        Set<String> before = ids(first.get(Splits.HOLDOUT));
        Set<String> after = ids(second.get(Splits.HOLDOUT));
        assertThat(before).isNotEmpty();
        assertThat(after).containsAll(before);
        // and no record of the first version entered the holdout later: membership is the record's alone
        Set<String> oldIds = ids(old);
        assertThat(after.stream().filter(oldIds::contains)).containsExactlyInAnyOrderElementsOf(before);
    }

    @Test
    void theFractionIsRespectedAndTheHoldoutIsInNoOtherSplit() {
        List<Entry> all = reviews(0, 10_000);
        Map<String, List<Entry>> splits = new Splitter(0.1, 0.1, 7, 0.05).split(all);
        int held = splits.get(Splits.HOLDOUT).size();
        // 500 expected; the binomial's standard deviation is ~22, so 4 of them either side.
        assertThat(held).isBetween(412, 588);
        Set<String> holdout = ids(splits.get(Splits.HOLDOUT));
        for (String split : Splits.ALL) {
            assertThat(ids(splits.get(split))).doesNotContainAnyElementsOf(holdout);
        }
        assertThat(splits.values().stream().mapToInt(List::size).sum()).isEqualTo(all.size());
        // validation and test are shares of what the holdout left
        assertThat(splits.get(Splits.TEST).size()).isCloseTo((int) Math.round((all.size() - held) * 0.1),
                org.assertj.core.data.Offset.offset(3));
    }

    @Test
    void anotherSeedDrawsAnotherHoldoutAndTheSameSeedTheSame() {
        Set<String> a = ids(new Splitter(0.1, 0.1, 1, 0.1).split(reviews(0, 500)).get(Splits.HOLDOUT));
        Set<String> again = ids(new Splitter(0.1, 0.1, 1, 0.1).split(reviews(0, 500)).get(Splits.HOLDOUT));
        Set<String> other = ids(new Splitter(0.1, 0.1, 2, 0.1).split(reviews(0, 500)).get(Splits.HOLDOUT));
        assertThat(a).isEqualTo(again).isNotEqualTo(other);
    }

    @Test
    void givenValidationAndTestSplitsAreNeverThinned() {
        List<Entry> all = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            all.add(entry("tr" + i, i % 2 == 0 ? "a" : "b", "train", "train text " + i));
            all.add(entry("te" + i, i % 2 == 0 ? "a" : "b", "test", "test text " + i));
        }
        Map<String, List<Entry>> splits = new Splitter(0.1, 0.1, 3, 0.25).split(all);
        assertThat(splits.get(Splits.TEST)).hasSize(400).allMatch(e -> "test".equals(e.givenSplit));
        assertThat(splits.get(Splits.HOLDOUT)).isNotEmpty().allMatch(e -> "train".equals(e.givenSplit));
    }

    @Test
    void noFractionNoHoldoutSplitAtAll() {
        Map<String, List<Entry>> splits = new Splitter(0.1, 0.1, 3).split(reviews(0, 100));
        assertThat(splits.keySet()).containsExactlyElementsOf(Splits.ALL);
        Map<String, List<Entry>> zero = new Splitter(0.1, 0.1, 3, 0).split(reviews(0, 100));
        assertThat(zero.keySet()).containsExactlyElementsOf(Splits.ALL);
        Splits.ALL.forEach(split -> assertThat(ids(zero.get(split))).isEqualTo(ids(splits.get(split))));
    }
}

package io.finetune.preprocess.domain;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** A continuous dataset's split: each record by a hash of its own text, so versions keep every record's split. */
class StableSplitTest {
    private static Entry entry(String id, String label, String split, String text) {
        long hash = TextHash.of(TextStandardiser.normalisedKey(text));
        return new Entry(id, label, split, 0, 0, hash, hash, hash);
    }

    private static List<Entry> reviews(int from, int to) {
        List<Entry> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(entry(String.format("r%05d", i), i % 3 == 0 ? "pos" : "neg", null, "review number " + i));
        }
        return out;
    }

    private static Map<String, String> splitOf(Map<String, List<Entry>> splits) {
        return splits.entrySet().stream().flatMap(s -> s.getValue().stream().map(e -> Map.entry(e.id, s.getKey())))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    private static Splitter stable(long seed) {
        return new Splitter(0.1, 0.2, seed, 0.1, true);
    }

    @Test
    void everyRecordKeepsItsSplitWhenTheDatasetGrows() {
        Map<String, String> first = splitOf(stable(42).split(reviews(0, 1000)));
        // The next version: more records before, between and after the old ones once sorted by id.
        List<Entry> grown = new ArrayList<>(reviews(0, 1000));
        grown.addAll(reviews(1000, 3000));
        grown.add(entry("a-first", "pos", null, "a record sorted before every other"));
        grown.sort(java.util.Comparator.comparing((Entry e) -> e.id));
        Map<String, String> second = splitOf(stable(42).split(grown));

        first.forEach((id, split) -> assertThat(second.get(id)).as(id).isEqualTo(split));
        Set<String> firstTest = first.entrySet().stream().filter(e -> e.getValue().equals(Splits.TEST))
                .map(Map.Entry::getKey).collect(Collectors.toSet());
        Set<String> secondTest = second.entrySet().stream().filter(e -> e.getValue().equals(Splits.TEST))
                .map(Map.Entry::getKey).collect(Collectors.toSet());
        assertThat(secondTest).containsAll(firstTest).hasSizeGreaterThan(firstTest.size());
    }

    @Test
    void theStratifiedSplitWouldMoveRecordsBetweenVersions() {
        // Why continuous datasets need their own split: the stratified one reshuffles as records are added.
        Map<String, String> first = splitOf(new Splitter(0.1, 0.2, 42, 0.1).split(reviews(0, 1000)));
        List<Entry> grown = new ArrayList<>(reviews(0, 1000));
        grown.addAll(reviews(1000, 1100));
        Map<String, String> second = splitOf(new Splitter(0.1, 0.2, 42, 0.1).split(grown));
        assertThat(first.keySet().stream().filter(id -> !first.get(id).equals(second.get(id))).count()).isPositive();
    }

    @Test
    void sharesAreTheFractionsInExpectationAndTheSeedDrawsAnother() {
        Map<String, List<Entry>> splits = stable(7).split(reviews(0, 10_000));
        int rest = 10_000 - splits.get(Splits.HOLDOUT).size();
        assertThat(splits.get(Splits.HOLDOUT).size()).isBetween(850, 1150);
        assertThat(splits.get(Splits.TEST).size()).isBetween((int) (rest * 0.18), (int) (rest * 0.22));
        assertThat(splits.get(Splits.VALIDATION).size()).isBetween((int) (rest * 0.08), (int) (rest * 0.12));
        assertThat(splitOf(stable(8).split(reviews(0, 1000)))).isNotEqualTo(splitOf(stable(7).split(reviews(0, 1000))));
    }

    @Test
    void aTextWrittenAgainDifferentlyIsInTheSameSplitAndGivenSplitsAreKept() {
        Map<String, String> a = splitOf(stable(3).split(List.of(entry("x", "pos", null, "A fine film, really!"))));
        Map<String, String> b = splitOf(stable(3).split(List.of(entry("y", "pos", null, "a FINE film really"))));
        assertThat(b.get("y")).isEqualTo(a.get("x"));

        List<Entry> given = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            given.add(entry("t" + i, "pos", Splits.TEST, "given test " + i));
            given.add(entry("v" + i, "neg", Splits.VALIDATION, "given validation " + i));
        }
        Map<String, String> splits = splitOf(new Splitter(0.1, 0.2, 3, 0, true).split(given));
        splits.forEach((id, split) -> assertThat(split).as(id).isEqualTo(id.startsWith("t") ? Splits.TEST
                : Splits.VALIDATION));
    }
}

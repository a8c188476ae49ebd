package io.finetune.preprocess.domain;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SplitterTest {
    static Entry entry(String id, String label, String split) {
        return new Entry(id, label, split, 0, 0, id.hashCode(), id.hashCode(), id.hashCode());
    }

    static List<Entry> entries(int perLabel, String split, String... labels) {
        List<Entry> out = new ArrayList<>();
        for (String label : labels) {
            for (int i = 0; i < perLabel; i++) {
                out.add(entry(label + "-" + split + "-" + String.format("%03d", i), label, split));
            }
        }
        return out;
    }

    private static long count(List<Entry> list, String label) {
        return list.stream().filter(e -> e.label.equals(label)).count();
    }

    @Test
    void unsplitRecordsAreDividedPerLabelByTheFractions() {
        Map<String, List<Entry>> splits = new Splitter(0.1, 0.2, 7).split(entries(100, null, "neg", "pos"));
        for (String label : List.of("neg", "pos")) {
            assertThat(count(splits.get(Splits.VALIDATION), label)).isEqualTo(10);
            assertThat(count(splits.get(Splits.TEST), label)).isEqualTo(20);
            assertThat(count(splits.get(Splits.TRAIN), label)).isEqualTo(70);
        }
        assertThat(splits.get(Splits.TEST)).isSortedAccordingTo((a, b) -> a.id.compareTo(b.id));
    }

    @Test
    void sameSeedSameSplitOtherSeedOtherSplit() {
        List<String> first = ids(new Splitter(0.1, 0.1, 1).split(entries(50, null, "a", "b")).get(Splits.TEST));
        List<String> again = ids(new Splitter(0.1, 0.1, 1).split(entries(50, null, "a", "b")).get(Splits.TEST));
        List<String> other = ids(new Splitter(0.1, 0.1, 2).split(entries(50, null, "a", "b")).get(Splits.TEST));
        assertThat(first).isEqualTo(again).isNotEqualTo(other);
    }

    @Test
    void givenTrainAndTestAreKeptAndValidationComesFromTrainOnly() {
        List<Entry> all = new ArrayList<>(entries(50, "train", "neg", "pos"));
        all.addAll(entries(30, "test", "neg", "pos"));
        Map<String, List<Entry>> splits = new Splitter(0.1, 0.1, 3).split(all);
        assertThat(splits.get(Splits.TEST)).hasSize(60).allMatch(e -> "test".equals(e.givenSplit));
        assertThat(splits.get(Splits.VALIDATION)).hasSize(10).allMatch(e -> "train".equals(e.givenSplit));
        assertThat(splits.get(Splits.TRAIN)).hasSize(90).allMatch(e -> "train".equals(e.givenSplit));
    }

    @Test
    void balancingEvensOutTheLabelsOfTrain() {
        List<Entry> train = new ArrayList<>(entries(10, null, "big"));
        train.addAll(entries(4, null, "small"));
        List<Entry> under = Balancer.balance(train, "undersample", 1);
        assertThat(count(under, "big")).isEqualTo(4);
        assertThat(count(under, "small")).isEqualTo(4);
        List<Entry> over = Balancer.balance(train, "oversample", 1);
        assertThat(count(over, "big")).isEqualTo(10);
        assertThat(count(over, "small")).isEqualTo(10);
        assertThat(over.stream().map(e -> e.id).distinct()).hasSize(20); // copies get ids of their own
        assertThat(Balancer.balance(train, "none", 1)).isSameAs(train);
    }

    private static List<String> ids(List<Entry> list) {
        return list.stream().map(e -> e.id).toList();
    }
}

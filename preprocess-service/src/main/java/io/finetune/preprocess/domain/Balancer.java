package io.finetune.preprocess.domain;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Step 4: evens out the label counts of the train split, seeded. Only train: resampled validation or test sets would
 * misstate how the model does on the real distribution, and oversampled copies there would leak training texts.
 */
final class Balancer {
    static List<Entry> balance(List<Entry> train, String mode, long seed) {
        if ("none".equals(mode) || train.isEmpty()) {
            return train;
        }
        Map<String, List<Entry>> byLabel = new TreeMap<>();
        for (Entry e : train) {
            byLabel.computeIfAbsent(e.label, l -> new ArrayList<>()).add(e);
        }
        Random random = new Random(seed + 2);
        List<Entry> out = new ArrayList<>();
        if ("undersample".equals(mode)) {
            int target = byLabel.values().stream().mapToInt(List::size).min().orElse(0);
            for (List<Entry> group : byLabel.values()) {
                List<Entry> shuffled = new ArrayList<>(group);
                Collections.shuffle(shuffled, random);
                out.addAll(shuffled.subList(0, target));
            }
        } else {
            int target = byLabel.values().stream().mapToInt(List::size).max().orElse(0);
            for (List<Entry> group : byLabel.values()) {
                out.addAll(group);
                for (int copy = 1; copy <= target - group.size(); copy++) {
                    out.add(group.get(random.nextInt(group.size())).copy(copy));
                }
            }
        }
        out.sort(Comparator.comparing((Entry e) -> e.id));
        return out;
    }

    private Balancer() {
    }
}

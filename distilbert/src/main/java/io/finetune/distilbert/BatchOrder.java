package io.finetune.distilbert;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * The order in which an epoch visits the training examples. It depends only on the seed and the epoch, so a
 * resumed run replays the interrupted epoch's order exactly.
 */
final class BatchOrder {
    /** HF's {@code get_length_grouped_indices} sorts windows of 50 batches by length. */
    static final int MEGABATCH_BATCHES = 50;

    private BatchOrder() {}

    /** A shuffle seeded with {@code seed + epoch - 1}; with {@code groupByLength}, sorted by length per window. */
    static List<Integer> of(List<int[]> inputs, int batchSize, long seed, int epoch, boolean groupByLength) {
        List<Integer> order = new ArrayList<>(IntStream.range(0, inputs.size()).boxed().toList());
        Collections.shuffle(order, new Random(seed + epoch - 1));
        return groupByLength ? groupedByLength(order, inputs, batchSize) : order;
    }

    /**
     * Random windows of {@code 50 × batchSize} examples, each sorted longest first, so a batch holds similar
     * lengths and wastes little on padding while batches still come in random order. As in HF, the longest
     * example of all goes first so that running out of memory happens at the first step, not hours later.
     */
    private static List<Integer> groupedByLength(List<Integer> shuffled, List<int[]> inputs, int batchSize) {
        Comparator<Integer> longestFirst = Comparator.comparingInt((Integer i) -> inputs.get(i).length).reversed();
        int window = MEGABATCH_BATCHES * batchSize;
        List<Integer> order = new ArrayList<>(shuffled.size());
        for (int from = 0; from < shuffled.size(); from += window) {
            List<Integer> mega = new ArrayList<>(shuffled.subList(from, Math.min(shuffled.size(), from + window)));
            mega.sort(longestFirst);
            order.addAll(mega);
        }
        int longest = 0;
        for (int i = 1; i < order.size(); i++) {
            if (inputs.get(order.get(i)).length > inputs.get(order.get(longest)).length) {
                longest = i;
            }
        }
        Collections.swap(order, 0, longest);
        return order;
    }
}

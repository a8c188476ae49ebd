package io.finetune.preprocess.domain;

import java.util.Map;
import java.util.TreeMap;

/**
 * Examples per token length, in buckets keyed by their upper bound: 8, 16, 32, ... doubling up to maxLength (the last
 * bucket). Shows at a glance whether maxLength cuts off much of the data.
 */
final class TokenLengthHistogram {
    private final int maxLength;
    private final Map<Integer, Integer> counts = new TreeMap<>();

    TokenLengthHistogram(int maxLength) {
        this.maxLength = maxLength;
        for (int bound = 8; bound < maxLength; bound *= 2) {
            counts.put(bound, 0);
        }
        counts.put(maxLength, 0);
    }

    void add(int length) {
        int bound = 8;
        while (bound < length && bound < maxLength) {
            bound *= 2;
        }
        counts.merge(Math.min(bound, maxLength), 1, Integer::sum);
    }

    Map<Integer, Integer> counts() {
        return new TreeMap<>(counts);
    }
}

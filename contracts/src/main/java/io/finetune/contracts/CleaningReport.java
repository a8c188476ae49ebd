package io.finetune.contracts;

import java.util.List;
import java.util.Map;

/**
 * What preprocessing did to a dataset: counts before and after each step, so a user can see where records went.
 *
 * @param tokenLengthHistogram examples per token-length bucket, keyed by the bucket's upper bound
 */
public record CleaningReport(List<Step> steps, int duplicatesRemoved, int emptyDropped, int truncated,
                             Map<String, Map<String, Integer>> labelsPerSplit,
                             Map<Integer, Integer> tokenLengthHistogram) {
    public record Step(String name, int before, int after, String detail) {
    }
}

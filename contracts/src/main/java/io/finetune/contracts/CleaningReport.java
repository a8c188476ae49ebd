package io.finetune.contracts;

import java.util.List;
import java.util.Map;

/**
 * What preprocessing did to a dataset: counts before and after each step, so a user can see where records went.
 *
 * @param tokenLengthHistogram examples per token-length bucket, keyed by the bucket's upper bound
 * @param origins              records per origin kind ({@link RecordOrigin#kind()}; {@link #NO_ORIGIN} for records
 *                             that name none): how many arrived and how many are in the prepared dataset. Null, and
 *                             absent from the JSON, when no record of the dataset named an origin
 */
public record CleaningReport(List<Step> steps, int duplicatesRemoved, int emptyDropped, int truncated,
                             Map<String, Map<String, Integer>> labelsPerSplit,
                             Map<Integer, Integer> tokenLengthHistogram, Map<String, OriginCount> origins) {
    /** The key of {@link #origins} under which records that name no origin are counted. */
    public static final String NO_ORIGIN = "none";

    /** A report of a dataset none of whose records named an origin. */
    public CleaningReport(List<Step> steps, int duplicatesRemoved, int emptyDropped, int truncated,
                          Map<String, Map<String, Integer>> labelsPerSplit,
                          Map<Integer, Integer> tokenLengthHistogram) {
        this(steps, duplicatesRemoved, emptyDropped, truncated, labelsPerSplit, tokenLengthHistogram, null);
    }

    public record Step(String name, int before, int after, String detail) {
    }

    /**
     * @param received records of this origin that reached preprocess
     * @param kept     of those, the ones in the prepared dataset: not empty after cleaning, labeled, not a duplicate
     *                 (before balancing, which copies or drops train records)
     */
    public record OriginCount(int received, int kept) {
    }
}

package io.finetune.distilbert;

import java.util.Arrays;

/**
 * How an example longer than a run's {@code maxLength} is cut: its first tokens and its last one, the [SEP] that
 * closes it, as a tokenizer truncating at that length would have written it. Training, its validation pass and the
 * evaluator's scoring all cut this way, so each reads an example exactly as the others do.
 */
public final class Truncation {
    private Truncation() {
    }

    /** {@code ids} itself when it fits, else its first {@code limit - 1} ids and its last. */
    public static int[] toLength(int[] ids, int limit) {
        if (ids.length <= limit) {
            return ids;
        }
        int[] cut = Arrays.copyOf(ids, limit);
        cut[limit - 1] = ids[ids.length - 1];
        return cut;
    }
}

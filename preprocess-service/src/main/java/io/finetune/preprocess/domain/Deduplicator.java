package io.finetune.preprocess.domain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Step 3: keeps the first of each group of equal texts, in the order given (records sorted by id, so "first" does not
 * depend on arrival order). A dropped duplicate whose label differs from the kept one is counted as a conflict.
 */
final class Deduplicator {
    record Result(List<Entry> kept, int removed, int conflicts) {
    }

    static Result exact(List<Entry> entries) {
        return by(entries, e -> e.rawHash);
    }

    static Result normalised(List<Entry> entries) {
        return by(entries, e -> e.normalisedHash);
    }

    /** Records repeating an id already kept (a user re-sent the same id with another text): the first wins. */
    static Result ids(List<Entry> sortedById) {
        List<Entry> kept = new ArrayList<>(sortedById.size());
        int conflicts = 0;
        for (Entry e : sortedById) {
            Entry last = kept.isEmpty() ? null : kept.get(kept.size() - 1);
            if (last != null && last.id.equals(e.id)) {
                conflicts += last.label.equals(e.label) ? 0 : 1;
            } else {
                kept.add(e);
            }
        }
        return new Result(kept, sortedById.size() - kept.size(), conflicts);
    }

    private static Result by(List<Entry> entries, ToLongFunction<Entry> key) {
        Map<Long, String> labelOfFirst = new HashMap<>(Math.max(16, entries.size() * 4 / 3));
        List<Entry> kept = new ArrayList<>(entries.size());
        int conflicts = 0;
        for (Entry e : entries) {
            String first = labelOfFirst.putIfAbsent(key.applyAsLong(e), e.label);
            if (first == null) {
                kept.add(e);
            } else if (!first.equals(e.label)) {
                conflicts++;
            }
        }
        return new Result(kept, entries.size() - kept.size(), conflicts);
    }

    private Deduplicator() {
    }
}

package io.finetune.ingest.domain;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Callers waiting, per dataset, for something a registry event will make true (a seal's END marker recorded): each
 * event of the dataset checks them again, so no caller polls.
 */
final class Awaited<T> {
    private record Waiting<T>(Supplier<T> check, CompletableFuture<T> done) {
    }

    private final Map<String, List<Waiting<T>>> waiting = new ConcurrentHashMap<>();

    /**
     * @param check the answer, or null while there is none
     * @return the first answer {@code check} gives, or {@code fallback} after {@code limit}
     */
    CompletableFuture<T> await(String dataset, Supplier<T> check, Duration limit, T fallback) {
        Waiting<T> one = new Waiting<>(check, new CompletableFuture<>());
        List<Waiting<T>> ofDataset = waiting.computeIfAbsent(dataset, d -> new CopyOnWriteArrayList<>());
        ofDataset.add(one);
        one.done().whenComplete((answer, error) -> ofDataset.remove(one));
        one.done().completeOnTimeout(fallback, limit.toMillis(), TimeUnit.MILLISECONDS);
        changed(dataset); // checked after it was added: an event applied in between is not missed
        return one.done();
    }

    /** An event of the dataset was applied: whoever now has an answer gets it. */
    void changed(String dataset) {
        List<Waiting<T>> ofDataset = waiting.get(dataset);
        if (ofDataset != null) {
            for (Waiting<T> one : ofDataset) {
                T answer = one.check().get();
                if (answer != null) {
                    one.done().complete(answer);
                }
            }
        }
    }
}

package io.finetune.ingest.domain;

import io.finetune.contracts.DatasetCounts;
import io.finetune.contracts.DatasetDefined;
import io.finetune.contracts.DatasetDefinitions;
import io.finetune.contracts.DatasetSealed;
import io.finetune.contracts.Json;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * What the registry topic says about each dataset, built from its events in offset order: the first definition
 * ({@link DatasetDefinitions}, the rule the evaluator reads definitions by too) and the first claim of each seal number
 * win (later ones lost a race and are ignored; the winning claim's own key updates it), and each replica's newest
 * counts are kept.
 */
final class DatasetViews {
    static final class View {
        volatile DatasetSealed seal;
        volatile String sealKey;
        /**
         * Seal 1, the one that closed the dataset to records: its END marker is where the records end, whatever
         * seals follow a failed preparation.
         */
        volatile DatasetSealed firstSeal;
        /** Every seal that won its number, by number: of a continuous dataset, its versions. */
        final Map<Integer, DatasetSealed> seals = new ConcurrentSkipListMap<>();
        final Map<String, DatasetCounts> counts = new ConcurrentHashMap<>();
    }

    private final Map<String, View> views = new ConcurrentHashMap<>();
    private final DatasetDefinitions definitions = new DatasetDefinitions();

    /** One event of the topic; tombstones (json null) only retract claims that lost, so they change nothing. */
    void apply(String key, String type, String json) {
        if (json == null) {
            return;
        }
        switch (type) {
            case DatasetDefined.TYPE -> view(definitions.apply(key, json));
            case DatasetSealed.TYPE -> {
                DatasetSealed sealed = Json.read(json, DatasetSealed.class);
                View view = view(sealed.dataset());
                if (key.equals(view.sealKey)) {
                    view.seal = sealed; // the winning claim, now with its END marker sent
                } else if (isNext(view.seal, sealed.seal())) {
                    view.sealKey = key;
                    view.seal = sealed;
                } else {
                    return;
                }
                if (sealed.seal() == 1) {
                    view.firstSeal = sealed;
                }
                view.seals.put(sealed.seal(), sealed);
            }
            case DatasetCounts.TYPE -> {
                DatasetCounts counts = Json.read(json, DatasetCounts.class);
                view(counts.dataset()).counts.put(counts.replica(), counts);
            }
            default -> throw new IllegalArgumentException("unknown registry event type '" + type + "'");
        }
    }

    /**
     * Whether seal {@code number} may follow the dataset's current seal: 1 on a dataset never sealed, else one more
     * than an ended seal. Whether that seal's preparation failed, which alone allows another, is for the claimer to
     * check (ingest learns it from the shards topic, not from this one); a claim that is not next lost a race.
     */
    static boolean isNext(DatasetSealed current, int number) {
        return current == null ? number == 1 : current.ended() && number == current.seal() + 1;
    }

    java.util.Set<String> names() {
        return java.util.Set.copyOf(views.keySet());
    }

    View get(String dataset) {
        return views.get(dataset);
    }

    /** The dataset's definition, or null when it has none. */
    DatasetDefined definition(String dataset) {
        DatasetDefinitions.Winner winner = definitions.winner(dataset);
        return winner == null ? null : winner.definition();
    }

    /** The key of the dataset's definition event, or null when it has none. */
    String definitionKey(String dataset) {
        DatasetDefinitions.Winner winner = definitions.winner(dataset);
        return winner == null ? null : winner.key();
    }

    private View view(String dataset) {
        if (dataset == null) {
            throw new IllegalArgumentException("the event names no dataset");
        }
        return views.computeIfAbsent(dataset, d -> new View());
    }
}

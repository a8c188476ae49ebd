package io.finetune.ingest.domain;

import io.finetune.contracts.DatasetCounts;
import io.finetune.contracts.DatasetDefined;
import io.finetune.contracts.DatasetSealed;
import io.finetune.contracts.Json;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the registry topic says about each dataset, built from its events in offset order: the first definition and
 * the first seal win (later ones lost a race and are ignored; the winning seal's own key updates it), and each
 * replica's newest counts are kept.
 */
final class DatasetViews {
    static final class View {
        volatile DatasetDefined definition;
        volatile String definitionKey;
        volatile DatasetSealed seal;
        volatile String sealKey;
        final Map<String, DatasetCounts> counts = new ConcurrentHashMap<>();
    }

    private final Map<String, View> views = new ConcurrentHashMap<>();

    /** One event of the topic; tombstones (json null) only retract claims that lost, so they change nothing. */
    void apply(String key, String type, String json) {
        if (json == null) {
            return;
        }
        switch (type) {
            case DatasetDefined.TYPE -> {
                DatasetDefined defined = Json.read(json, DatasetDefined.class);
                View view = view(defined.dataset());
                if (view.definition == null) {
                    view.definitionKey = key;
                    view.definition = defined;
                }
            }
            case DatasetSealed.TYPE -> {
                DatasetSealed sealed = Json.read(json, DatasetSealed.class);
                View view = view(sealed.dataset());
                if (view.seal == null) {
                    view.sealKey = key;
                    view.seal = sealed;
                } else if (key.equals(view.sealKey)) {
                    view.seal = sealed; // the winning claim, now with its END marker sent
                }
            }
            case DatasetCounts.TYPE -> {
                DatasetCounts counts = Json.read(json, DatasetCounts.class);
                view(counts.dataset()).counts.put(counts.replica(), counts);
            }
            default -> throw new IllegalArgumentException("unknown registry event type '" + type + "'");
        }
    }

    View get(String dataset) {
        return views.get(dataset);
    }

    private View view(String dataset) {
        if (dataset == null) {
            throw new IllegalArgumentException("the event names no dataset");
        }
        return views.computeIfAbsent(dataset, d -> new View());
    }
}

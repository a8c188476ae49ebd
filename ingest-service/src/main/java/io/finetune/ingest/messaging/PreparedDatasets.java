package io.finetune.ingest.messaging;

import io.finetune.contracts.PreparationOutcome;
import io.finetune.contracts.ShardManifest;
import io.finetune.contracts.ShardReader;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What preprocess last said of a sealed dataset: the manifest it published (so a dataset's status shows its cleaning
 * report and shards in one place), or why it could not prepare it. Found by reading the shards topic (the source of
 * truth). A manifest is kept once found: a prepared dataset is never sealed again, so it does not change. A failure
 * is read again each time: a new seal of the dataset may follow it.
 */
@ApplicationScoped
public class PreparedDatasets {
    private final ShardReader reader;
    private final Map<String, ShardManifest> found = new ConcurrentHashMap<>();

    public PreparedDatasets(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.reader = new ShardReader(kafkaConfig);
    }

    /** Blocking: may read the shards topic. */
    public Optional<PreparationOutcome> outcome(String dataset) {
        ShardManifest known = found.get(dataset);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<PreparationOutcome> outcome = reader.latestOutcome(dataset);
        if (outcome.orElse(null) instanceof ShardManifest manifest) {
            found.put(dataset, manifest);
        }
        return outcome;
    }
}

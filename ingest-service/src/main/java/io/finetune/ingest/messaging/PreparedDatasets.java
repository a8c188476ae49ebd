package io.finetune.ingest.messaging;

import io.finetune.contracts.ShardManifest;
import io.finetune.contracts.ShardReader;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The manifest preprocess published for a sealed dataset, so a dataset's status shows its cleaning report and
 * shards in one place. Found by reading the shards topic (the source of truth), and kept once found: ingest seals a
 * dataset once, so its manifest does not change afterwards.
 */
@ApplicationScoped
public class PreparedDatasets {
    private final ShardReader reader;
    private final Map<String, ShardManifest> found = new ConcurrentHashMap<>();

    public PreparedDatasets(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.reader = new ShardReader(kafkaConfig);
    }

    public Optional<ShardManifest> manifest(String dataset) {
        ShardManifest known = found.get(dataset);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<ShardManifest> manifest = reader.latestManifest(dataset);
        manifest.ifPresent(m -> found.put(dataset, m));
        return manifest;
    }
}

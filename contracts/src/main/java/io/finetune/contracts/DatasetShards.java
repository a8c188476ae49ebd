package io.finetune.contracts;

import java.util.List;
import java.util.Map;

/** A prepared dataset as read back from {@link Topics#SHARDS}: its manifest and its examples by split. */
public record DatasetShards(ShardManifest manifest, Map<String, List<TokenizedExample>> splits) {
    public List<TokenizedExample> split(String name) {
        return splits.getOrDefault(name, List.of());
    }
}

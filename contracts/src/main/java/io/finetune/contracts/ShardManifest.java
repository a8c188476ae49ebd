package io.finetune.contracts;

import java.util.List;
import java.util.Map;

/**
 * Published after the last shard of a preprocessing run, on {@link Topics#SHARDS} with header ft-type=manifest.
 * Readers trust a build only once its manifest exists, and check they found exactly {@code shards} shards.
 *
 * @param labels       label names; a shard's example label is an index into this list
 * @param shards       number of shards per split
 * @param counts       examples per split and label name
 * @param tokenizer    identity of the tokenizer: model name and SHA-256 of its tokenizer.json
 * @param configHash   SHA-256 of the options actually used
 */
public record ShardManifest(int v, String dataset, String build, List<String> labels, Map<String, Integer> shards,
                            Map<String, Map<String, Integer>> counts, String tokenizer, String model, int maxLength,
                            String configHash, CleaningReport report) {
    public static final int VERSION = 1;

    public int examples(String split) {
        return counts.getOrDefault(split, Map.of()).values().stream().mapToInt(Integer::intValue).sum();
    }
}

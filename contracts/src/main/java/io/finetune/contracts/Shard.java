package io.finetune.contracts;

import java.util.List;

/**
 * A slice of one split of a prepared dataset. {@code build} identifies one preprocessing run (hash of input and
 * options), so readers can ignore shards of an older run of the same dataset.
 */
public record Shard(String dataset, String build, String split, int index, List<TokenizedExample> examples) {
}

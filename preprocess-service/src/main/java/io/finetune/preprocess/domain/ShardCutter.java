package io.finetune.preprocess.domain;

import io.finetune.contracts.Shard;
import io.finetune.contracts.ShardCodec;
import io.finetune.contracts.TokenizedExample;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Step 8: cuts one split's examples into shards that stay under the byte and example limits, counting by the codec's
 * size bound so a shard never exceeds Kafka's record limit however its ids encode.
 */
final class ShardCutter {
    /** Room for the shard header: magic, dataset, build and split names, index and count. */
    private static final int HEADER_BOUND = 4 + 3 * (2 + 128) + 3 * 2 + 16 + 8 + 8;

    private final String dataset;
    private final String build;
    private final String split;
    private final int maxBytes;
    private final int maxExamples;
    private final Consumer<Shard> sink;
    private List<TokenizedExample> current = new ArrayList<>();
    private int currentBytes = HEADER_BOUND;
    private int shards;

    ShardCutter(String dataset, String build, String split, int maxBytes, int maxExamples, Consumer<Shard> sink) {
        this.dataset = dataset;
        this.build = build;
        this.split = split;
        this.maxBytes = maxBytes;
        this.maxExamples = maxExamples;
        this.sink = sink;
    }

    void add(TokenizedExample example) {
        int size = ShardCodec.encodedSizeBound(example);
        if (!current.isEmpty() && (current.size() >= maxExamples || currentBytes + size > maxBytes)) {
            flush();
        }
        current.add(example);
        currentBytes += size;
    }

    /** Emits the last, partly filled shard; returns how many shards the split has. */
    int finish() {
        if (!current.isEmpty()) {
            flush();
        }
        return shards;
    }

    private void flush() {
        sink.accept(new Shard(dataset, build, split, shards++, List.copyOf(current)));
        current = new ArrayList<>();
        currentBytes = HEADER_BOUND;
    }
}

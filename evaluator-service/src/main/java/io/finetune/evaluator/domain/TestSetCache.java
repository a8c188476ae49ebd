package io.finetune.evaluator.domain;

import io.finetune.contracts.DatasetShards;
import io.finetune.contracts.ShardReader;
import io.finetune.evaluator.config.EvaluatorConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Prepared datasets read from the shards topic, kept per dataset build. The service's one {@link ShardReader} finds a
 * build from its index, but still reads and decodes every shard of it; every checkpoint of a job names the same
 * build, so only a job's first checkpoint pays for that. A checkpoint naming no build (written before checkpoints
 * recorded theirs) is evaluated on the dataset's newest build, read each time. Least recently used entries are
 * dropped beyond {@link EvaluatorConfig#datasetCacheSize()}.
 */
@ApplicationScoped
public class TestSetCache {
    private final ShardReader reader;
    private final Map<String, DatasetShards> byBuild;

    public TestSetCache(EvaluatorConfig config, ShardReader reader) {
        this.reader = reader;
        int capacity = config.datasetCacheSize();
        this.byBuild = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, DatasetShards> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * The build the checkpoint was trained on, however many builds of the dataset came after it (a continuous
     * dataset's later versions), read once per build.
     *
     * @param build the build the checkpoint names; null when it names none: the dataset's newest build
     * @return empty when the shards topic holds no manifest of that build (of any build, for null)
     */
    public synchronized Optional<DatasetShards> get(String dataset, String build) {
        if (build == null) {
            return reader.read(dataset);
        }
        String key = dataset + '/' + build;
        DatasetShards cached = byBuild.get(key);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<DatasetShards> read = reader.read(dataset, build);
        read.ifPresent(shards -> byBuild.put(key, shards));
        return read;
    }
}

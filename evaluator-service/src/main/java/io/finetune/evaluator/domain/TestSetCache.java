package io.finetune.evaluator.domain;

import io.finetune.contracts.DatasetShards;
import io.finetune.contracts.ShardReader;
import io.finetune.evaluator.config.EvaluatorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Prepared datasets read from the shards topic, kept per dataset build. The service's one {@link ShardReader} finds a
 * build from its index, but still reads and decodes every shard of it; every checkpoint of a job is evaluated on the
 * same build, so only a job's first checkpoint pays for that. A checkpoint naming no build always reads the newest
 * build. Least recently used entries are dropped beyond {@link EvaluatorConfig#datasetCacheSize()}.
 */
@ApplicationScoped
public class TestSetCache {
    private static final Logger LOG = Logger.getLogger(TestSetCache.class);
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
     * The dataset's newest build, read once per build that checkpoints name.
     *
     * @param build the build the checkpoint names, or null when it names none
     * @return empty when the shards topic holds no manifest for the dataset
     */
    public synchronized Optional<DatasetShards> get(String dataset, String build) {
        // Keyed by the build the checkpoint asks for, so a dataset prepared again since training is also read once.
        String key = dataset + '/' + build;
        DatasetShards cached = build == null ? null : byBuild.get(key);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<DatasetShards> read = reader.read(dataset);
        read.ifPresent(shards -> {
            if (build != null) {
                byBuild.put(key, shards);
                if (!build.equals(shards.manifest().build())) {
                    // The shards topic only lists a dataset's newest build: that is what can be evaluated on.
                    LOG.warnf("dataset %s: checkpoint trained on build %s, evaluating on newest build %s", dataset,
                            build, shards.manifest().build());
                }
            }
        });
        return read;
    }
}

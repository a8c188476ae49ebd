package io.finetune.ingest.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "ingest")
public interface IngestConfig {
    /** Largest accepted record, in bytes of its JSON form. Kafka's default record limit is 1 MiB. */
    @WithDefault("900000")
    int maxRecordBytes();

    /** Records sent to Kafka before a REST upload waits for their acknowledgements (bounds memory). */
    @WithDefault("1000")
    int uploadBatchSize();
}

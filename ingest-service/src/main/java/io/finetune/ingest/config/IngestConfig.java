package io.finetune.ingest.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "ingest")
public interface IngestConfig {
    /** Largest accepted record, in bytes of its JSON form. Kafka's default record limit is 1 MiB. */
    @WithDefault("900000")
    int maxRecordBytes();

    /** Records sent to Kafka before a REST upload waits for their acknowledgements (bounds memory). */
    @WithDefault("5000")
    int uploadBatchSize();

    /**
     * How long POST /datasets/{name}/seal waits for its marker to come through the raw topic before it answers 202
     * (sealing, not yet sealed) instead of 200.
     */
    @WithDefault("30s")
    java.time.Duration sealWait();

    /** Request body limits per kind of endpoint; quarkus.http.limits.max-body-size must be at least the largest. */
    Limits limits();

    interface Limits {
        /** Small JSON requests: create a dataset, seal it. */
        @WithDefault("65536")
        long jsonBodyBytes();

        /** POST /datasets/{name}/records (JSON, JSON Lines, CSV, TSV). */
        @WithDefault("1073741824")
        long uploadBodyBytes();

        /** POST /datasets/{name}/import (archives, Parquet, mailboxes), as sent (compressed). */
        @WithDefault("2147483648")
        long importBodyBytes();

        /** Most entries (files and folders) of an imported archive; aclImdb_v1.tar.gz has about 100,000. */
        @WithDefault("250000")
        int archiveEntries();

        /** Most bytes of an imported archive once unpacked (refuses archive bombs); aclImdb is about 500 MB. */
        @WithDefault("4294967296")
        long archiveUnpackedBytes();

        /** Largest e-mail message, attachments included. */
        @WithDefault("26214400")
        int messageBytes();
    }
}

package io.finetune.ingest.rest;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The formats POST /datasets/{name}/import understands, named by its "format" query parameter. */
enum ImportFormat {
    /** Stanford's aclImdb_v1.tar.gz (or a tar/zip of the aclImdb folder). */
    IMDB,
    /** A Parquet file, e.g. a Hugging Face dataset's train-00000-of-00001.parquet. */
    PARQUET,
    /** One RFC 822 message, or a tar/tar.gz/zip of .eml files. */
    EML,
    /** An mbox mailbox. */
    MBOX,
    CSV,
    TSV,
    JSONL;

    static ImportFormat parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            return null;
        }
    }

    static String names() {
        return Arrays.stream(values()).map(f -> f.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
    }
}

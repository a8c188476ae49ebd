package io.finetune.preprocess.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/**
 * Defaults of every preparation step. The options on a dataset's end marker override model, max-length, balance,
 * fractions and seed; the cleaning and sharding switches are the operator's.
 */
@ConfigMapping(prefix = "preprocess")
public interface PreprocessConfig {
    /** Spools of datasets being received and the unpacked bundled models live here. */
    @WithDefault("${java.io.tmpdir}/finetune/preprocess")
    String dataDir();

    /**
     * The model whose tokenizer is used: a bundled name, a directory, a Hugging Face id, or {@code scratch} /
     * {@code scratch:<vocabSize>} for a vocabulary built from the dataset's train split (docs/vocabulary.md).
     */
    @WithDefault("distilbert-tiny")
    String model();

    /** Vocabulary size of model {@code scratch} without a size: BERT's. */
    @WithDefault("30522")
    int scratchVocabSize();

    /** A piece enters a scratch vocabulary only when it occurs this often in the train split. */
    @WithDefault("2")
    int scratchMinFrequency();

    /** Tokens per example, [CLS] and [SEP] included; capped at the model's max_position_embeddings. */
    @WithDefault("128")
    int maxLength();

    /** none, undersample or oversample (applied to the train split only). */
    @WithDefault("none")
    String balance();

    @WithDefault("0.1")
    double validationFraction();

    @WithDefault("0.1")
    double testFraction();

    @WithDefault("42")
    long seed();

    /**
     * Remove HTML/XML tags and decode character references, every HTML5 named entity and numeric ones, with jsoup (IMDB
     * reviews carry {@code <br />}).
     */
    @WithDefault("true")
    boolean stripHtml();

    /** Off by default: uncased BERT tokenizers lower-case themselves, cased ones must see the case. */
    @WithDefault("false")
    boolean lowercase();

    /** Replace everything but letters, digits, whitespace and basic punctuation by a space. */
    @WithDefault("false")
    boolean removeSpecialChars();

    /** Also drop texts that equal another one after case-folding and removing punctuation and spacing. */
    @WithDefault("true")
    boolean dedupeNormalised();

    /** Encoded shard size limit; Kafka's default record limit is 1 MiB. */
    @WithDefault("900000")
    int shardMaxBytes();

    @WithDefault("2000")
    int shardMaxExamples();

    /** Consumer group of {@code finetune.dataset.records} (KafkaAccess grants the service this group). */
    @WithDefault("preprocess-service")
    String groupId();

    /**
     * Static group membership ({@code group.instance.id}), unique per replica: a StatefulSet's pod name. A replica
     * restarted within the session timeout then gets its partitions back without a rebalance, so a rolling restart
     * does not make the others read unfinished datasets again. Unset: dynamic membership.
     */
    Optional<String> groupInstanceId();

    /** Shards sent before waiting for their acknowledgements (bounds memory while publishing). */
    @WithDefault("8")
    int shardsInFlight();
}

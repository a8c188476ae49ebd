package io.finetune.preprocess.domain;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.finetune.contracts.CleaningReport;
import io.finetune.contracts.ShardManifest;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What this service knows of a dataset: RECEIVING (with the count spooled so far), PREPARING, READY (with the
 * manifest's summary and the cleaning report) or FAILED (with a reason code and a sentence).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DatasetStatus(String dataset, State state, long received, Instant updatedAt, Summary manifest,
                            CleaningReport report, String reason, String detail) {
    public enum State { RECEIVING, PREPARING, READY, FAILED }

    /**
     * The manifest without its report, which the status lists on its own.
     *
     * @param tokenizerArchive the dataset's own tokenizer files (model scratch), else absent
     */
    public record Summary(String build, List<String> labels, Map<String, Integer> shards,
                          Map<String, Map<String, Integer>> counts, String model, String tokenizer, int maxLength,
                          String configHash, ShardManifest.TokenizerArchive tokenizerArchive) {
        static Summary of(ShardManifest m) {
            return new Summary(m.build(), m.labels(), m.shards(), m.counts(), m.model(), m.tokenizer(), m.maxLength(),
                    m.configHash(), m.tokenizerArchive());
        }
    }
}

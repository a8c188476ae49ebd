package io.finetune.preprocess.domain;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.finetune.contracts.Hashing;
import io.finetune.contracts.Json;
import io.finetune.contracts.PreprocessOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Every setting that shapes the shards, resolved: the dataset's own options over the service's defaults. Its JSON is
 * what {@code configHash} is taken over, so two runs with equal options have equal hashes.
 *
 * @param holdoutFraction the promotion holdout's share ({@link Splitter}); left out of the JSON when 0, so datasets
 *                        without a holdout keep the configHash and build they had before the option existed
 * @param stableSplit     true for a continuous dataset: each record's split is drawn from a hash of its text on its
 *                        own, so it stays in the same split in every version ({@link Splitter}); left out of the JSON
 *                        when false, so other datasets keep their configHash and build
 */
public record PreparationOptions(String model, int maxLength, String balance, double validationFraction,
                                 double testFraction, long seed, boolean stripHtml, boolean lowercase,
                                 boolean removeSpecialChars, boolean dedupeNormalised, int shardMaxBytes,
                                 int shardMaxExamples,
                                 @JsonInclude(JsonInclude.Include.NON_DEFAULT) double holdoutFraction,
                                 @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean stableSplit) {
    /** Options of a dataset that is not continuous: the stratified split. */
    public PreparationOptions(String model, int maxLength, String balance, double validationFraction,
                              double testFraction, long seed, boolean stripHtml, boolean lowercase,
                              boolean removeSpecialChars, boolean dedupeNormalised, int shardMaxBytes,
                              int shardMaxExamples, double holdoutFraction) {
        this(model, maxLength, balance, validationFraction, testFraction, seed, stripHtml, lowercase,
                removeSpecialChars, dedupeNormalised, shardMaxBytes, shardMaxExamples, holdoutFraction, false);
    }

    /** The service's defaults: no dataset gets a promotion holdout it did not ask for. */
    public PreparationOptions(String model, int maxLength, String balance, double validationFraction,
                              double testFraction, long seed, boolean stripHtml, boolean lowercase,
                              boolean removeSpecialChars, boolean dedupeNormalised, int shardMaxBytes,
                              int shardMaxExamples) {
        this(model, maxLength, balance, validationFraction, testFraction, seed, stripHtml, lowercase,
                removeSpecialChars, dedupeNormalised, shardMaxBytes, shardMaxExamples, 0);
    }

    /** The dataset's options where given, else these defaults; invalid values fail with reason "invalid-options". */
    public PreparationOptions overriddenBy(PreprocessOptions requested) {
        PreprocessOptions r = requested == null ? PreprocessOptions.defaults() : requested;
        PreparationOptions resolved = new PreparationOptions(
                r.model() == null || r.model().isBlank() ? model : r.model(),
                r.maxLength() == null ? maxLength : r.maxLength(),
                r.balance() == null ? balance : r.balance().toLowerCase(Locale.ROOT),
                r.validationFraction() == null ? validationFraction : r.validationFraction(),
                r.testFraction() == null ? testFraction : r.testFraction(),
                r.seed() == null ? seed : r.seed(),
                stripHtml, lowercase, removeSpecialChars, dedupeNormalised, shardMaxBytes, shardMaxExamples,
                r.holdoutFraction() == null ? holdoutFraction : r.holdoutFraction(), stableSplit);
        resolved.validate();
        return resolved;
    }

    public PreparationOptions withMaxLength(int length) {
        return new PreparationOptions(model, length, balance, validationFraction, testFraction, seed, stripHtml,
                lowercase, removeSpecialChars, dedupeNormalised, shardMaxBytes, shardMaxExamples, holdoutFraction,
                stableSplit);
    }

    /** @param stable whether records are split by a hash each, as a continuous dataset's are */
    public PreparationOptions withStableSplit(boolean stable) {
        return new PreparationOptions(model, maxLength, balance, validationFraction, testFraction, seed, stripHtml,
                lowercase, removeSpecialChars, dedupeNormalised, shardMaxBytes, shardMaxExamples, holdoutFraction,
                stable);
    }

    /**
     * The options' rules ({@link PreprocessOptions#problems()}, the ones ingest checks a seal with) on the resolved
     * values, where a default can break a rule together with a given value (a testFraction of 0.95 beside the default
     * validationFraction of 0.1), and the operator's shard limits. Every problem is named in one failure.
     */
    public void validate() {
        List<String> problems = new ArrayList<>();
        new PreprocessOptions(model, maxLength, balance, validationFraction, testFraction, seed, holdoutFraction)
                .problems()
                .forEach(problem -> problems.add(problem.describe()));
        if (shardMaxExamples < 1 || shardMaxBytes < 64 * 1024) {
            problems.add("shard limits too small: " + shardMaxExamples + " examples, " + shardMaxBytes + " bytes");
        }
        if (!problems.isEmpty()) {
            throw new PreparationFailure("invalid-options", String.join("; ", problems));
        }
    }

    public String json() {
        return Json.write(this);
    }

    public String configHash() {
        return Hashing.sha256Hex(json());
    }
}

package io.finetune.preprocess.domain;

import io.finetune.contracts.Hashing;
import io.finetune.contracts.Json;
import io.finetune.contracts.PreprocessOptions;

import java.util.Locale;
import java.util.Set;

/**
 * Every setting that shapes the shards, resolved: the dataset's own options over the service's defaults. Its JSON is
 * what {@code configHash} is taken over, so two runs with equal options have equal hashes.
 */
public record PreparationOptions(String model, int maxLength, String balance, double validationFraction,
                                 double testFraction, long seed, boolean stripHtml, boolean lowercase,
                                 boolean removeSpecialChars, boolean dedupeNormalised, int shardMaxBytes,
                                 int shardMaxExamples) {
    public static final Set<String> BALANCE_MODES = Set.of("none", "undersample", "oversample");

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
                stripHtml, lowercase, removeSpecialChars, dedupeNormalised, shardMaxBytes, shardMaxExamples);
        resolved.validate();
        return resolved;
    }

    public PreparationOptions withMaxLength(int length) {
        return new PreparationOptions(model, length, balance, validationFraction, testFraction, seed, stripHtml,
                lowercase, removeSpecialChars, dedupeNormalised, shardMaxBytes, shardMaxExamples);
    }

    public void validate() {
        if (!BALANCE_MODES.contains(balance)) {
            throw new PreparationFailure("invalid-options", "balance '" + balance + "' is not one of " + BALANCE_MODES);
        }
        if (maxLength < 2) {
            throw new PreparationFailure("invalid-options", "maxLength " + maxLength + " leaves no room for [CLS] and [SEP]");
        }
        if (!(validationFraction >= 0 && testFraction >= 0 && validationFraction + testFraction < 1)) {
            throw new PreparationFailure("invalid-options", "validationFraction " + validationFraction
                    + " and testFraction " + testFraction + " must be >= 0 and leave something to train on");
        }
        if (shardMaxExamples < 1 || shardMaxBytes < 64 * 1024) {
            throw new PreparationFailure("invalid-options", "shard limits too small: " + shardMaxExamples
                    + " examples, " + shardMaxBytes + " bytes");
        }
    }

    public String json() {
        return Json.write(this);
    }

    public String configHash() {
        return Hashing.sha256Hex(json());
    }
}

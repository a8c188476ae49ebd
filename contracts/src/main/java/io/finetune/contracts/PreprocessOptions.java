package io.finetune.contracts;

/**
 * How a sealed dataset is cleaned, split and tokenized. Every field may be null: preprocess-service then uses its
 * configured default, and the manifest records the values actually used.
 *
 * @param model              the model whose tokenizer to use (bundled name, directory or Hugging Face id)
 * @param maxLength          tokens per example after truncation, [CLS] and [SEP] included
 * @param balance            "none", "undersample" or "oversample"
 * @param validationFraction share of records held out for validation when the source gives no split
 * @param testFraction       share of records held out for the test when the source gives no split
 * @param seed               seed of the split and of resampling, so the same input gives the same shards
 */
public record PreprocessOptions(String model, Integer maxLength, String balance, Double validationFraction,
                                Double testFraction, Long seed) {
    public static PreprocessOptions defaults() {
        return new PreprocessOptions(null, null, null, null, null, null);
    }
}

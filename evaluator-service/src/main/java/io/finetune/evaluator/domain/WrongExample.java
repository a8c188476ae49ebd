package io.finetune.evaluator.domain;

/**
 * A test example the model got wrong, with the probability it gave its (wrong) prediction. The most confident ones
 * are the first to read: they are often mislabelled.
 *
 * @param text the example decoded with the checkpoint's tokenizer, or its token ids when decoding failed
 */
public record WrongExample(String id, String trueLabel, String predictedLabel, double confidence, int tokens,
                           String text) {
}

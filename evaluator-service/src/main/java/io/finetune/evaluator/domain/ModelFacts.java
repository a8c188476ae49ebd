package io.finetune.evaluator.domain;

import io.finetune.distilbert.EncoderConfig;

/**
 * What the checkpoint's {@code config.json} says about the model that the advice needs after the model directory is
 * gone: its family and how many tokens it can read.
 *
 * @param modelType             the family, as {@code config.json}'s {@code model_type} names it: distilbert, bert
 * @param maxPositionEmbeddings the longest input the model takes, in tokens
 */
public record ModelFacts(String modelType, int maxPositionEmbeddings) {
    public static ModelFacts of(EncoderConfig config) {
        return new ModelFacts(config.family().modelType(), config.maxPositionEmbeddings());
    }
}

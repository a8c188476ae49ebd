package io.finetune.contracts;

/**
 * A text to label, on {@link Topics#INFERENCE_REQUESTS}, keyed by {@code id} (so a resent request lands on the same
 * partition as the first). Written by people and applications with any Kafka client; the evaluator's serving consumer
 * answers it with a {@link Prediction} of the same id, or a {@link DeadLetter} saying why it could not.
 *
 * @param id         the caller's id of the request; the prediction carries it back as its key and {@code requestId}
 * @param text       what to classify
 * @param deployment the deployment to ask (e.g. "phishing"); when absent, the serving default
 *                   ({@code serving.default-deployment}) answers, if one is configured
 */
public record InferenceRequest(String id, String text, String deployment) {
}

package io.finetune.contracts;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A text to label, on {@link Topics#INFERENCE_REQUESTS}, keyed by {@code id} (so a resent request lands on the same
 * partition as the first). Written by people and applications with any Kafka client; the evaluator's serving consumer
 * answers it with a {@link Prediction} of the same id, or a {@link DeadLetter} saying why it could not.
 *
 * @param id         the caller's id of the request; the prediction carries it back as its key and {@code requestId}
 * @param text       what to classify; or null, and a {@code record}
 * @param deployment the deployment to ask (e.g. "phishing"); when absent, the serving default
 *                   ({@code serving.default-deployment}) answers, if one is configured
 * @param record     instead of {@code text}: a raw record as the dataset's definition maps it (an e-mail with its
 *                   {@code Subject} and {@code Body}), whose text is made as ingest makes a labeled record's
 *                   ({@link RecordText}) from the text fields of the dataset of the checkpoint the deployment serves;
 *                   null (left out) for a request with a text. Added after the first version: older readers ignore it.
 */
public record InferenceRequest(String id, String text, String deployment, ObjectNode record) {
    /** A request with a text. */
    public InferenceRequest(String id, String text, String deployment) {
        this(id, text, deployment, null);
    }
}

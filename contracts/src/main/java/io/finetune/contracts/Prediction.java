package io.finetune.contracts;

import java.time.Instant;
import java.util.Map;

/**
 * The answer to one {@link InferenceRequest}, on {@link Topics#PREDICTIONS}, keyed by the request id.
 *
 * @param requestId     the request's id
 * @param deployment    the deployment that answered
 * @param checkpoint    the checkpoint whose model made the prediction: what the deployment pointed at for this batch
 * @param label         the most probable label
 * @param probabilities every label's probability, in the model's label order
 * @param tokens        tokens the text was cut to (at most the model's maximum length)
 * @param truncated     whether the text was longer than that and its end was not seen
 * @param timings       where the time went
 * @param at            when the prediction was made
 * @param servedBy      the serving process that answered, by its transactional id: {@code evaluator-serving} for the
 *                      evaluator, {@code evaluator-serving-0}... for its serving replicas (docs/serving.md); null in
 *                      predictions made before it was added
 */
public record Prediction(int v, String requestId, String deployment, String checkpoint, String label,
                         Map<String, Double> probabilities, int tokens, boolean truncated, Timings timings,
                         Instant at, String servedBy) {
    public static final int VERSION = 1;

    /**
     * @param queuedMs    from the request's record timestamp to the start of its batch
     * @param inferenceMs the whole batch's tokenization and forward passes, shared by every request in it
     * @param batchSize   requests classified together with this one
     */
    public record Timings(long queuedMs, long inferenceMs, int batchSize) {
    }
}

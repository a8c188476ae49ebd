package io.finetune.evaluator.serving;

import io.finetune.evaluator.domain.TextClassifier;

import java.util.List;
import java.util.Optional;

/**
 * What the serving loop answers from: the deployments as they are now and their checkpoints' models. The evaluator
 * has its own deployments and pinned models ({@link EvaluatorServing}); a serving replica has the deployments topic
 * and the models it fetched ({@code io.finetune.evaluator.replica.ReplicaServing}).
 */
public interface ServingSource {
    /** The deployments now; read once per batch, so a batch is answered by what they pointed at when it began. */
    List<? extends ServedDeployment> deployments();

    /** Labels texts with a served checkpoint's model, in order. */
    List<TextClassifier.Prediction> label(String checkpoint, List<String> texts);

    /** Frees the models no deployment needs any more: between batches, so no batch loses a model it uses. */
    void releaseUnused();

    /**
     * A deployment the batch's {@link #deployments} lack, asked for again once this process has seen every change
     * made before now: a serving replica reads the deployments topic to its end first and finishes fetching the
     * models it is fetching, so a request sent after a deployment's creation was answered is never refused for a
     * replica that lagged. The evaluator's own deployments are never behind.
     *
     * @return the deployment, or empty: none of that name exists, or this process cannot serve it ({@link #unavailable})
     */
    default Optional<ServedDeployment> catchUp(String name) {
        return Optional.empty();
    }

    /** Why this process cannot serve a deployment that exists (a replica that could not fetch its model); else empty. */
    default Optional<String> unavailable(String name) {
        return Optional.empty();
    }

    /** Whether serving can begin: false while a replica has not yet read every deployment and fetched its model. */
    boolean ready();
}

package io.finetune.evaluator.serving;

import io.finetune.evaluator.domain.TextClassifier;

import java.util.List;

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

    /** Whether serving can begin: false while a replica has not yet read every deployment and fetched its model. */
    boolean ready();
}

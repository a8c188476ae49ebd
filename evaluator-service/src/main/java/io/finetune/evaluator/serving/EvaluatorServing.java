package io.finetune.evaluator.serving;

import io.finetune.evaluator.domain.TextClassifier;

import java.util.List;

/** The evaluator serves its own deployments with the models it pinned for them. */
public final class EvaluatorServing implements ServingSource {
    private final Deployments deployments;
    private final ServingModels models;

    public EvaluatorServing(Deployments deployments, ServingModels models) {
        this.deployments = deployments;
        this.models = models;
    }

    @Override
    public List<Deployment> deployments() {
        return deployments.all();
    }

    @Override
    public List<TextClassifier.Prediction> label(String checkpoint, List<String> texts) {
        return models.label(checkpoint, texts);
    }

    @Override
    public void releaseUnused() {
        deployments.releaseUnused();
    }

    @Override
    public boolean ready() {
        return true; // its deployments and their pinned models are on its own disk
    }
}

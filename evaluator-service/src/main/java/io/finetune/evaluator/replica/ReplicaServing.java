package io.finetune.evaluator.replica;

import io.finetune.evaluator.domain.TextClassifier;
import io.finetune.evaluator.serving.ServedDeployment;
import io.finetune.evaluator.serving.ServingSource;

import java.util.List;

/** A serving replica serves the deployments of the deployments topic with the models it fetched for them. */
public final class ReplicaServing implements ServingSource {
    private final DeploymentFeed feed;
    private final ReplicaModels models;

    public ReplicaServing(DeploymentFeed feed, ReplicaModels models) {
        this.feed = feed;
        this.models = models;
    }

    @Override
    public List<ServedDeployment> deployments() {
        return feed.deployments();
    }

    @Override
    public List<TextClassifier.Prediction> label(String checkpoint, List<String> texts) {
        return models.label(checkpoint, texts);
    }

    @Override
    public void releaseUnused() {
        feed.releaseUnused();
    }

    @Override
    public boolean ready() {
        return feed.caughtUp();
    }
}

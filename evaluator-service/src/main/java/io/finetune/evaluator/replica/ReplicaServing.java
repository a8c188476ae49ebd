package io.finetune.evaluator.replica;

import io.finetune.evaluator.domain.TextClassifier;
import io.finetune.evaluator.serving.ServedDeployment;
import io.finetune.evaluator.serving.ServingSource;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A serving replica serves the deployments of the deployments topic with the models it fetched for them. */
public final class ReplicaServing implements ServingSource {
    /**
     * How long a batch waits for the feed to catch up with a deployment it lacks: reading the topic's few new records,
     * and fetching a model that may be hundreds of megabytes. Well within the group's max.poll.interval.ms (5 min).
     */
    static final Duration CATCH_UP = Duration.ofMinutes(2);

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
    public Optional<ServedDeployment> catchUp(String name) {
        return feed.catchUp(name, CATCH_UP);
    }

    @Override
    public Optional<String> unavailable(String name) {
        return Optional.ofNullable(feed.problems().get(name));
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

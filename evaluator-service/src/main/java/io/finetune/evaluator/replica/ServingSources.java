package io.finetune.evaluator.replica;

import io.finetune.evaluator.config.EvaluatorConfig;
import io.finetune.evaluator.serving.Deployments;
import io.finetune.evaluator.serving.EvaluatorServing;
import io.finetune.evaluator.serving.ServingModels;
import io.finetune.evaluator.serving.ServingSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/** The serving loop's {@link ServingSource} by role. The beans of the other role are proxies never called. */
@ApplicationScoped
public class ServingSources {
    @Produces
    @ApplicationScoped
    ServingSource source(EvaluatorConfig config, Deployments deployments, ServingModels servingModels,
                         DeploymentFeed feed, ReplicaModels replicaModels) {
        return config.role() == EvaluatorConfig.Role.SERVING ? new ReplicaServing(feed, replicaModels)
                : new EvaluatorServing(deployments, servingModels);
    }
}

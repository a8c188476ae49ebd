package io.finetune.evaluator.replica;

import io.finetune.evaluator.config.EvaluatorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * A serving replica is ready once it has read the deployments topic to its end and fetched those models; until then
 * its serving loop has not joined the group. Down for good when the feed stopped on an error. A deployment it serves
 * otherwise than the topic says (a checkpoint it cannot fetch) shows in the check's data, by name, with the reason;
 * the replica stays ready then, as it still answers everything else. Always up on the evaluator.
 */
@Readiness
@ApplicationScoped
public class ReplicaReadiness implements HealthCheck {
    private final EvaluatorConfig config;
    private final DeploymentFeed feed;

    public ReplicaReadiness(EvaluatorConfig config, DeploymentFeed feed) {
        this.config = config;
        this.feed = feed;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("deployments").withData("role",
                config.role().name().toLowerCase(java.util.Locale.ROOT));
        if (config.role() != EvaluatorConfig.Role.SERVING) {
            return response.up().build();
        }
        if (feed.failure().isPresent()) {
            return response.down().withData("problem", feed.failure().get()).build();
        }
        response.withData("deployments", feed.deployments().size());
        feed.problems().forEach(response::withData);
        return feed.caughtUp() ? response.up().build() : response.down()
                .withData("problem", "still reading the deployments topic and fetching models").build();
    }
}

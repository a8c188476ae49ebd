package io.finetune.evaluator.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Down once the serving loop has stopped on an error: it does not restart itself, and a deployment whose requests
 * pile up unanswered is worse than a restarted pod (the uncommitted batch is answered again after the restart).
 */
@Liveness
@ApplicationScoped
public class ServingLiveness implements HealthCheck {
    private final ServingLoop loop;

    public ServingLiveness(ServingLoop loop) {
        this.loop = loop;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("serving");
        return loop.failure().map(problem -> response.down().withData("problem", problem).build())
                .orElseGet(() -> response.up().build());
    }
}

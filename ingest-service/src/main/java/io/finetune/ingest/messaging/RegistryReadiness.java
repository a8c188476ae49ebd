package io.finetune.ingest.messaging;

import io.finetune.ingest.domain.DatasetRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready until the dataset registry is read: before that, a replica would answer 404 for datasets that exist. */
@Readiness
@ApplicationScoped
public class RegistryReadiness implements HealthCheck {
    private final DatasetRegistry registry;

    public RegistryReadiness(DatasetRegistry registry) {
        this.registry = registry;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("dataset-registry").withData("replica", registry.replica());
        if (registry.isLoaded()) {
            return response.up().build();
        }
        return response.down().withData("problem", String.valueOf(registry.problem())).build();
    }
}

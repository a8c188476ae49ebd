package io.finetune.preprocess.messaging;

import io.finetune.contracts.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * The dataset-records consumer, as the SmallRye channel's own check reported it before: ready once it has joined its
 * group, alive until it stopped on an error (it does not restart itself; a restarted pod reads on from the committed
 * watermark).
 */
@Liveness
@Readiness
@ApplicationScoped
public class ConsumerHealth implements HealthCheck {
    private final DatasetRecordLoop loop;

    public ConsumerHealth(DatasetRecordLoop loop) {
        this.loop = loop;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named(Topics.DATASET_RECORDS + " consumer");
        return loop.failure().map(problem -> response.down().withData("problem", problem).build())
                .orElseGet(() -> loop.joined() ? response.up().build()
                        : response.down().withData("problem", "not yet in its consumer group").build());
    }
}

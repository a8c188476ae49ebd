package io.finetune.evaluator.serving;

import java.time.Duration;

/**
 * Told of every deployment change {@link Deployments} records, once it is on disk: the outbox of what each deployment
 * serves ({@code messaging.DeploymentStatePublisher} puts it on Kafka). Called under {@link Deployments}' locks, which
 * the serving loop takes after every batch, so it only notes the name and returns; it never waits on Kafka.
 */
@FunctionalInterface
public interface DeploymentChanges {
    void changed(String name);

    /**
     * Waits, outside every lock, until the deployment's newest state is on Kafka, so that a change answered over REST
     * is one the serving replicas can see; at most {@code timeout}.
     *
     * @return whether it is published: false after the timeout, when it is still on its way
     */
    default boolean awaitPublished(String name, Duration timeout) {
        return true;
    }
}

package io.finetune.evaluator.serving;

/**
 * Told of every deployment change {@link Deployments} records, once it is on disk: the outbox of what each deployment
 * serves ({@code messaging.DeploymentStatePublisher} puts it on Kafka). Called under {@link Deployments}' locks, which
 * the serving loop takes after every batch, so it only notes the name and returns; it never waits on Kafka.
 */
@FunctionalInterface
public interface DeploymentChanges {
    void changed(String name);
}

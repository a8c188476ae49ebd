package io.finetune.service.messaging;

import io.finetune.contracts.ShardReader;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.Map;

/**
 * The one {@link ShardReader} of a service: its index of the shards topic is what makes a lookup cheap, so every bean
 * that looks up a dataset (trainer's REST and worker, preprocess's repeat check, the evaluator's test sets) shares it
 * instead of making a reader of its own, which would read the dataset's partition from its start again.
 */
@Dependent
public class SharedShardReader {
    /** @param kafkaConfig every {@code kafka.*} setting, security included, as the service's channels get them */
    @Produces
    @Singleton
    ShardReader shardReader(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        return new ShardReader(kafkaConfig);
    }
}

package io.finetune.evaluator.messaging;

import io.finetune.contracts.DatasetDefinitions;
import io.finetune.evaluator.serving.DatasetTextFields;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;

/**
 * Reads ingest's registry topic from its start each time it is asked (a deployment's checkpoint changes, which is
 * rare), assigned, no consumer group: a definition never changes once made, and the topic is compacted and small.
 */
@ApplicationScoped
public class RegistryTextFields implements DatasetTextFields {
    private final Map<String, Object> kafkaConfig;

    /** @param kafkaConfig every {@code kafka.*} setting, security included, as the service's channels get them */
    public RegistryTextFields(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.kafkaConfig = kafkaConfig;
    }

    @Override
    public List<String> of(String dataset) {
        return DatasetDefinitions.read(kafkaConfig).textFields(dataset);
    }
}

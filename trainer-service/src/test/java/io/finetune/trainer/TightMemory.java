package io.finetune.trainer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * A trainer with 1 GiB for training, whatever the machine has, so that a test knows which jobs fit: the tests' jobs
 * (the tiny model, batch 16, length 64: about 0.5 GiB) do, batch 4,096 (about 4.9 GiB) does not.
 */
public class TightMemory implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        return Map.of("trainer.training-memory", "1G");
    }

    @Override
    public void stop() {
    }
}

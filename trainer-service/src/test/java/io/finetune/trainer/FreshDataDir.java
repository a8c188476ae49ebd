package io.finetune.trainer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/** An empty data directory per test run: jobs persisted by an earlier run must not be recovered into this one. */
public class FreshDataDir implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        try {
            return Map.of("trainer.data-dir", Files.createTempDirectory("trainer-data-").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
    }
}

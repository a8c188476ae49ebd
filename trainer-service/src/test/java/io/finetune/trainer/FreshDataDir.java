package io.finetune.trainer;

import io.finetune.contracts.Directories;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** An empty data directory per test run: jobs persisted by an earlier run must not be recovered into this one. */
public class FreshDataDir implements QuarkusTestResourceLifecycleManager {
    private Path dir;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("trainer-data-");
            return Map.of("trainer.data-dir", dir.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (dir != null) {
            Directories.delete(dir);
        }
    }
}

package io.finetune.evaluator.serving;

import io.finetune.contracts.Json;
import io.finetune.evaluator.domain.Workspace;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Deployments, one JSON file each under the data directory's {@code serving/deployments/}, mirrored in memory: a
 * restarted evaluator serves what it served before. Local to one evaluator (docs/serving.md: one replica for now).
 */
@ApplicationScoped
public class DeploymentStore {
    private static final Logger LOG = Logger.getLogger(DeploymentStore.class);

    private final Path dir;
    private final Map<String, Deployment> byName = new ConcurrentHashMap<>();

    public DeploymentStore(Workspace workspace) {
        this.dir = workspace.serving().resolve("deployments");
        try {
            Files.createDirectories(dir);
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                    Deployment d = Json.read(Files.readString(file), Deployment.class);
                    byName.put(d.name(), d);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read deployments from " + dir, e);
        }
        LOG.infof("%d deployments on record in %s", byName.size(), dir);
    }

    public Optional<Deployment> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public List<Deployment> all() {
        return byName.values().stream().sorted(Comparator.comparing(Deployment::name)).toList();
    }

    /** Written to a temporary file and moved into place, so a crash never leaves half a deployment behind. */
    void save(Deployment deployment) {
        Path file = dir.resolve(deployment.name() + ".json");
        Path tmp = dir.resolve(deployment.name() + ".json.tmp");
        try {
            Files.writeString(tmp, Json.write(deployment));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record deployment " + deployment.name(), e);
        }
        byName.put(deployment.name(), deployment);
    }
}

package io.finetune.evaluator.serving;

import io.finetune.contracts.Json;
import io.finetune.contracts.PromotionDecision;
import io.finetune.evaluator.domain.Workspace;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;

/**
 * Every promotion decision of a deployment, oldest first: one JSON line each in {@code serving/history/<name>.jsonl}.
 * Local to the evaluator like the deployments (docs/serving.md); the same records are on
 * {@link io.finetune.contracts.Topics#PROMOTIONS} for anyone else.
 */
@ApplicationScoped
public class PromotionHistory {
    private final Path dir;

    public PromotionHistory(Workspace workspace) {
        this.dir = workspace.serving().resolve("history");
    }

    public synchronized List<PromotionDecision> of(String deployment) {
        Path file = file(deployment);
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try {
            // A line cut short by a crash mid-write is not a decision: it is decided again.
            return Files.readAllLines(file).stream().filter(line -> line.endsWith("}"))
                    .map(line -> Json.read(line, PromotionDecision.class)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the history of deployment " + deployment, e);
        }
    }

    /** The latest verdict on the challenger for this deployment, if it was judged: each is judged once. */
    public Optional<PromotionDecision> decision(String deployment, String challenger) {
        List<PromotionDecision> all = of(deployment);
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).challenger().equals(challenger)) {
                return Optional.of(all.get(i));
            }
        }
        return Optional.empty();
    }

    public synchronized void add(PromotionDecision decision) {
        try {
            Files.createDirectories(dir);
            Files.writeString(file(decision.deployment()), Json.write(decision) + "\n", StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.SYNC);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record a decision of deployment " + decision.deployment(), e);
        }
    }

    private Path file(String deployment) {
        return dir.resolve(deployment + ".jsonl");
    }
}

package io.finetune.evaluator.domain;

import io.finetune.contracts.CleaningReport;
import io.finetune.contracts.EvaluationResult;
import io.finetune.contracts.ShardManifest;
import io.finetune.distilbert.BundledModels;
import io.finetune.evaluator.serving.Deployment;
import io.finetune.evaluator.serving.DeploymentStore;
import io.finetune.evaluator.serving.Deployments;
import io.finetune.evaluator.serving.PromotionPolicy;
import io.finetune.evaluator.serving.ServingException;
import io.finetune.evaluator.serving.ServingModels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Deployments on the evaluator's own stores: what they serve survives a restart and the model shelf's pruning, and
 * changes that cannot be made say why. (In this package for {@link TestEvaluatorConfig}, which the domain tests own.)
 */
class ServingDeploymentsTest {
    @TempDir
    Path dataDir;

    private Workspace workspace;
    private EvaluationStore evaluations;
    private ServingModels models;
    private Deployments deployments;
    /** Ingest's registry as the deployments read it: text fields per defined dataset; null while it is unreadable. */
    private Map<String, List<String>> registry = new HashMap<>();
    /** The names of the changes recorded, as the deployment states' outbox is told them. */
    private final List<String> noted = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    @BeforeEach
    void evaluateTwoCheckpoints() {
        TestEvaluatorConfig config = TestEvaluatorConfig.in(dataDir);
        workspace = new Workspace(config);
        evaluations = new EvaluationStore(workspace);
        for (String checkpoint : List.of("ckpt-a", "ckpt-b", "ckpt-gone")) {
            evaluations.save(evaluation(checkpoint));
        }
        evaluations.save(evaluation("ckpt-mail", "mails", null));
        for (String checkpoint : List.of("ckpt-a", "ckpt-b", "ckpt-mail")) {
            BundledModels.extract(BundledModels.DEMO_MODEL, workspace.modelOf(checkpoint));
        }
        models = new ServingModels(workspace, new ModelShelf(workspace, evaluations, config), evaluations, config,
                new EvaluationPrecision(config));
        registry.put("mails", List.of("Subject", "Body"));
        deployments = new Deployments(new DeploymentStore(workspace), models, evaluations, dataset -> {
            if (registry == null) {
                throw new IllegalStateException("broker away");
            }
            return registry.getOrDefault(dataset, List.of("text"));
        }, noted::add);
    }

    @AfterEach
    void unload() {
        models.close();
    }

    @Test
    void aDeploymentSurvivesARestartAndServesWhatTheShelfPruned() {
        deployments.create("phishing", "ckpt-a");
        deployments.point("phishing", "ckpt-b");
        Workspace.deleteTree(workspace.modelOf("ckpt-a"));
        Workspace.deleteTree(workspace.modelOf("ckpt-b"));

        Deployment restarted = new DeploymentStore(workspace).get("phishing").orElseThrow();
        assertThat(restarted.checkpoint()).isEqualTo("ckpt-b");
        assertThat(restarted.previous()).isEqualTo("ckpt-a");
        assertThat(models.label("ckpt-b", List.of("a fine text"))).singleElement()
                .satisfies(p -> assertThat(p.probabilities()).containsOnlyKeys("NEGATIVE", "POSITIVE"));

        Deployment rolledBack = deployments.rollback("phishing");
        assertThat(rolledBack.checkpoint()).isEqualTo("ckpt-a");
        assertThat(rolledBack.previous()).isNull();
        assertThat(models.label("ckpt-a", List.of("another text"))).hasSize(1);
        assertThat(models.label("ckpt-b", List.of("a batch begun before the rollback")))
                .as("kept until the serving loop releases it between batches").hasSize(1);

        deployments.releaseUnused();
        assertThat(pinned()).as("nothing serves or rolls back to ckpt-b any more").containsExactly("ckpt-a");
        assertThatThrownBy(() -> models.label("ckpt-b", List.of("too late"))).isInstanceOf(IllegalStateException.class);
        assertThat(noted).as("each change, told to the outbox").containsExactly("phishing", "phishing", "phishing");
    }

    @Test
    void changesThatCannotBeMadeSayWhy() {
        deployments.create("phishing", "ckpt-a");

        assertKind(() -> deployments.create("Phishing!", "ckpt-a"), ServingException.Kind.INVALID_NAME);
        assertKind(() -> deployments.create("phishing", "ckpt-b"), ServingException.Kind.ALREADY_EXISTS);
        assertKind(() -> deployments.create("spam", "ckpt-never"), ServingException.Kind.UNKNOWN_CHECKPOINT);
        assertKind(() -> deployments.create("spam", "ckpt-gone"), ServingException.Kind.MODEL_NOT_KEPT);
        assertKind(() -> deployments.point("spam", "ckpt-a"), ServingException.Kind.UNKNOWN_DEPLOYMENT);
        assertKind(() -> deployments.rollback("phishing"), ServingException.Kind.NOTHING_TO_ROLL_BACK);
        assertThat(deployments.all()).extracting(Deployment::name).containsExactly("phishing");
        assertThat(deployments.get("phishing").orElseThrow().checkpoint()).isEqualTo("ckpt-a");
    }

    @Test
    void aPolicyNeedsAHoldoutInTheServedCheckpointsDatasetAndOutlivesChangesAndRestarts() {
        deployments.create("phishing", "ckpt-a");
        PromotionPolicy policy = PromotionPolicy.of("macro_f1", 0.01, null);
        assertThatThrownBy(() -> deployments.setPolicy("phishing", policy)).isInstanceOf(ServingException.class)
                .hasMessageContaining("has no promotion holdout").hasMessageContaining("holdoutFraction")
                .satisfies(e -> assertThat(((ServingException) e).kind()).isEqualTo(ServingException.Kind.NO_HOLDOUT));
        assertThat(deployments.get("phishing").orElseThrow().policy()).isNull();

        evaluations.save(evaluation("ckpt-held", manifest(Map.of("NEGATIVE", 3, "POSITIVE", 2))));
        BundledModels.extract(BundledModels.DEMO_MODEL, workspace.modelOf("ckpt-held"));
        deployments.point("phishing", "ckpt-held");
        assertThat(deployments.setPolicy("phishing", policy).policy()).isEqualTo(policy);
        assertThat(deployments.point("phishing", "ckpt-a").policy()).isEqualTo(policy);
        assertThat(deployments.rollback("phishing").policy()).isEqualTo(policy);
        assertThat(new DeploymentStore(workspace).get("phishing").orElseThrow().policy()).isEqualTo(policy);
        assertThat(deployments.clearPolicy("phishing").policy()).isNull();
        assertKind(() -> deployments.setPolicy("nobody", policy), ServingException.Kind.UNKNOWN_DEPLOYMENT);
    }

    /** Each change of the checkpoint reads the text fields of the new checkpoint's dataset; they outlive a restart. */
    @Test
    void aDeploymentRecordsTheTextFieldsOfItsCheckpointsDataset() {
        assertThat(deployments.create("phishing", "ckpt-a").textFields()).containsExactly("text");
        assertThat(deployments.point("phishing", "ckpt-mail").textFields()).containsExactly("Subject", "Body");
        assertThat(new DeploymentStore(workspace).get("phishing").orElseThrow().textFields())
                .containsExactly("Subject", "Body");
        assertThat(deployments.rollback("phishing").textFields()).containsExactly("text");
    }

    @Test
    void aRegistryThatCannotBeReadChangesNothing() {
        deployments.create("phishing", "ckpt-a");
        registry = null;

        assertThatThrownBy(() -> deployments.point("phishing", "ckpt-mail")).isInstanceOf(ServingException.class)
                .hasMessageContaining("'mails'").hasMessageContaining("finetune.ingest.datasets")
                .hasMessageContaining("broker away").satisfies(e -> assertThat(((ServingException) e).kind())
                        .isEqualTo(ServingException.Kind.REGISTRY_UNAVAILABLE));
        assertKind(() -> deployments.create("spam", "ckpt-b"), ServingException.Kind.REGISTRY_UNAVAILABLE);
        assertThat(deployments.all()).extracting(Deployment::name, Deployment::checkpoint)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("phishing", "ckpt-a"));
        assertThat(pinned()).containsExactly("ckpt-a");
    }

    /**
     * The serving loop releases models after every batch; a change waiting on a slow registry (a broker away for up
     * to a minute) must not hold it up, and a second change waits for the first rather than overwrite it.
     */
    @Test
    void aSlowRegistryReadHoldsUpOtherChangesButNeverServing() throws Exception {
        deployments.create("phishing", "ckpt-a");
        java.util.concurrent.CountDownLatch reading = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch answer = new java.util.concurrent.CountDownLatch(1);
        deployments = new Deployments(new DeploymentStore(workspace), models, evaluations, dataset -> {
            reading.countDown();
            try {
                answer.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return registry.getOrDefault(dataset, List.of("text"));
        }, noted::add);
        java.util.concurrent.ExecutorService changer = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.concurrent.Future<Deployment> pointing = changer.submit(() -> deployments.point("phishing",
                    "ckpt-mail"));
            assertThat(reading.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            java.util.concurrent.Future<Deployment> rolling = changer.submit(() -> deployments.rollback("phishing"));

            java.util.concurrent.CompletableFuture<Void> released =
                    java.util.concurrent.CompletableFuture.runAsync(deployments::releaseUnused);
            released.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(rolling).as("a second change waits for the first").isNotDone();

            answer.countDown();
            assertThat(pointing.get(10, java.util.concurrent.TimeUnit.SECONDS).checkpoint()).isEqualTo("ckpt-mail");
            Deployment rolledBack = rolling.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(rolledBack.checkpoint()).as("the rollback saw the change before it").isEqualTo("ckpt-a");
            assertThat(rolledBack.previous()).isNull();
        } finally {
            answer.countDown();
            changer.shutdownNow();
        }
    }

    /** One recorded before requests carried records: pointing it at its own checkpoint reads its fields. */
    @Test
    void aDeploymentWithoutTextFieldsGetsThemWhenPointedAtItsCheckpointAgain() throws IOException {
        Files.writeString(workspace.serving().resolve("deployments").resolve("old.json"), "{\"name\": \"old\","
                + " \"checkpoint\": \"ckpt-mail\", \"createdAt\": \"2026-01-01T00:00:00Z\","
                + " \"updatedAt\": \"2026-01-01T00:00:00Z\"}");
        deployments = new Deployments(new DeploymentStore(workspace), models, evaluations,
                dataset -> registry.getOrDefault(dataset, List.of("text")), noted::add);
        assertThat(deployments.get("old").orElseThrow().textFields()).isNull();

        Deployment again = deployments.point("old", "ckpt-mail");

        assertThat(again.textFields()).containsExactly("Subject", "Body");
        assertThat(again.previous()).isNull();
        assertThat(deployments.point("old", "ckpt-mail")).isSameAs(deployments.get("old").orElseThrow());
    }

    /** A build whose holdout split has these examples per label (none: a build without one). */
    private static ShardManifest manifest(Map<String, Integer> holdout) {
        Map<String, Map<String, Integer>> counts = new LinkedHashMap<>();
        counts.put("test", Map.of("NEGATIVE", 1, "POSITIVE", 1));
        counts.put("holdout", holdout);
        return new ShardManifest(ShardManifest.VERSION, "d", "build-1", List.of("NEGATIVE", "POSITIVE"),
                Map.of("test", 1, "holdout", 1), counts, "distilbert-tiny", "distilbert-tiny", 64, "hash",
                new CleaningReport(List.of(), 0, 0, 0, Map.of(), Map.of()));
    }

    private static void assertKind(Runnable change, ServingException.Kind kind) {
        assertThatThrownBy(change::run).isInstanceOf(ServingException.class)
                .satisfies(e -> assertThat(((ServingException) e).kind()).isEqualTo(kind));
    }

    private List<String> pinned() {
        try (Stream<Path> dirs = Files.list(workspace.serving().resolve("models"))) {
            return dirs.map(d -> d.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static EvaluatedCheckpoint evaluation(String checkpoint) {
        return evaluation(checkpoint, null);
    }

    private static EvaluatedCheckpoint evaluation(String checkpoint, ShardManifest data) {
        return evaluation(checkpoint, "d", data);
    }

    private static EvaluatedCheckpoint evaluation(String checkpoint, String dataset, ShardManifest data) {
        EvaluationResult result = new EvaluationResult(EvaluationResult.VERSION, "job", checkpoint, dataset, 1, 1L,
                "test", 2, 0.5, 0.7, 0.5, 0.5, List.of("NEGATIVE", "POSITIVE"), List.of(), new int[][]{{1, 0}, {1, 0}},
                Instant.EPOCH, null, null, null, null, null);
        return new EvaluatedCheckpoint(result, null, data, null, List.of(), 0, null);
    }
}

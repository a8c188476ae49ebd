package io.finetune.trainer.training;

import ai.djl.Device;
import com.sun.net.httpserver.HttpServer;
import io.finetune.contracts.DatasetShards;
import io.finetune.contracts.Hyperparameters;
import io.finetune.contracts.Json;
import io.finetune.contracts.TokenizedExample;
import io.finetune.contracts.ShardManifest;
import io.finetune.contracts.TrainingJob;
import io.finetune.distilbert.BundledModels;
import io.finetune.distilbert.ModelResolver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every reason a job cannot run leaves the planner as one exception, with the words its submitter needs. */
class JobPlannerTest {
    @TempDir
    Path temp;

    private static final DatasetShards REVIEWS = new DatasetShards(new ShardManifest(ShardManifest.VERSION,
            "reviews", "b1", List.of("negative", "positive"), Map.of("train", 0), Map.of(),
            "distilbert-base-uncased@sha256:" + "0".repeat(64), "distilbert-base-uncased", 64, "h", null), Map.of());

    private JobPlanner planner(Map<String, String> env) {
        return new JobPlanner(new BaseModels(new ModelResolver(temp.resolve("models"), env)), "distilbert-tiny",
                DeviceMemory.system());
    }

    private static TrainingJob job(String baseModel) {
        return new TrainingJob(TrainingJob.VERSION, "job-1", "reviews", baseModel, null, Instant.now());
    }

    @Test
    void anUncachedHubIdOfflineSaysItIsOfflineWhereItLookedAndHowToProvideIt() {
        Map<String, String> env = Map.of("HF_HOME", temp.resolve("hf").toString(), "HF_HUB_OFFLINE", "1");
        assertThatThrownBy(() -> planner(env).plan(job("distilbert-base-uncased"), REVIEWS, temp, Device.cpu()))
                .isInstanceOf(UnrunnableJobException.class)
                .hasMessageContaining("model 'distilbert-base-uncased' is not available offline")
                .hasMessageContaining(temp.resolve("hf/hub/models--distilbert-base-uncased").toString())
                .hasMessageContaining("bin/import-model").hasMessageContaining("name a model directory")
                .hasMessageContaining("unsetting HF_HUB_OFFLINE");
    }

    @Test
    void anIdTheHubDoesNotHaveIsSaidToNotExist() throws Exception {
        HttpServer hub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        hub.createContext("/", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        hub.start();
        try {
            Map<String, String> env = Map.of("HF_HUB_CACHE", temp.resolve("hub").toString(),
                    "HF_ENDPOINT", "http://127.0.0.1:" + hub.getAddress().getPort());
            assertThatThrownBy(() -> planner(env).plan(job("acme/no-such-model"), REVIEWS, temp, Device.cpu()))
                    .isInstanceOf(UnrunnableJobException.class)
                    .hasMessageContaining("there is no model 'acme/no-such-model' on the Hugging Face Hub")
                    .hasMessageContaining("Check the id");
        } finally {
            hub.stop(0);
        }
    }

    /** Tokenized for the bundled tiny model, one training example. */
    private static final DatasetShards TINY_REVIEWS = new DatasetShards(new ShardManifest(ShardManifest.VERSION,
            "reviews", "b1", List.of("negative", "positive"), Map.of("train", 1), Map.of(), "distilbert-tiny",
            "distilbert-tiny", 64, "h", null),
            Map.of("train", List.of(new TokenizedExample("r1", 0, new int[]{2, 5, 3}))));

    @Test
    void aJobWhoseTrainingCannotFitIsRefusedWithWhatItNeedsWhatThereIsAndWhatToLower() {
        JobPlanner planner = new JobPlanner(new BaseModels(new ModelResolver(temp.resolve("models"), Map.of())),
                "distilbert-tiny", DeviceMemory.fixed(1L << 30, "trainer.training-memory"));
        TrainingJob job = new TrainingJob(TrainingJob.VERSION, "job-1", "reviews", null,
                Json.read("{\"batchSize\": 4096, \"maxLength\": 64}", Hyperparameters.class), Instant.now());
        // tiny: 26,082 parameters; activations 2 layers x (64*(34*32 + 8*64) + 9*4*64^2) x 2.3 = 1.1 MiB an example
        assertThatThrownBy(() -> planner.plan(job, TINY_REVIEWS, temp, Device.cpu()))
                .isInstanceOf(UnrunnableJobException.class)
                .hasMessageStartingWith("training needs about 4.9 GiB (weights 1 MiB, gradients 1 MiB, AdamW moments"
                        + " 1 MiB, activations 4.4 GiB, libtorch 512 MiB) on cpu(), but there is 1.0 GiB"
                        + " (trainer.training-memory)")
                .hasMessageContaining("Lower batchSize (now 4096) or maxLength (now 64): batchSize 256 would fit at"
                        + " this maxLength; raise gradientAccumulationSteps (now 1) to keep the effective batch");

        TrainingJob fits = new TrainingJob(TrainingJob.VERSION, "job-2", "reviews", null,
                Json.read("{\"batchSize\": 256, \"maxLength\": 64}", Hyperparameters.class), Instant.now());
        assertThat(planner.plan(fits, TINY_REVIEWS, temp, Device.cpu()).config().batchSize()).isEqualTo(256);
    }

    @Test
    void aDatasetThatDoesNotFitTheModelIsRefusedTheSameWay() {
        assertThatThrownBy(() -> planner(Map.of()).plan(job(null), REVIEWS, temp, Device.cpu()))
                .isInstanceOf(UnrunnableJobException.class)
                .hasMessageContaining("seal the dataset again with model " + BundledModels.DEMO_MODEL);
    }
}

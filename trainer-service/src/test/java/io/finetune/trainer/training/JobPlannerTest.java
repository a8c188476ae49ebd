package io.finetune.trainer.training;

import ai.djl.Device;
import com.sun.net.httpserver.HttpServer;
import io.finetune.contracts.DatasetShards;
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

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every reason a job cannot run leaves the planner as one exception, with the words its submitter needs. */
class JobPlannerTest {
    @TempDir
    Path temp;

    private static final DatasetShards REVIEWS = new DatasetShards(new ShardManifest(ShardManifest.VERSION,
            "reviews", "b1", List.of("negative", "positive"), Map.of("train", 0), Map.of(),
            "distilbert-base-uncased@sha256:" + "0".repeat(64), "distilbert-base-uncased", 64, "h", null), Map.of());

    private JobPlanner planner(Map<String, String> env) {
        return new JobPlanner(new BaseModels(new ModelResolver(temp.resolve("models"), env)), "distilbert-tiny");
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

    @Test
    void aDatasetThatDoesNotFitTheModelIsRefusedTheSameWay() {
        assertThatThrownBy(() -> planner(Map.of()).plan(job(null), REVIEWS, temp, Device.cpu()))
                .isInstanceOf(UnrunnableJobException.class)
                .hasMessageContaining("seal the dataset again with model " + BundledModels.DEMO_MODEL);
    }
}

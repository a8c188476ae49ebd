package io.finetune.evaluator.serving;

import io.finetune.contracts.DeadLetter;
import io.finetune.contracts.Prediction;
import io.finetune.contracts.ShardManifest;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The meters as Prometheus scrapes them: a real Micrometer Prometheus registry and its text exposition. */
class ServingMetersTest {
    private static final ShardManifest MAIL = manifest(List.of("ham", "phishing"),
            Map.of("train", Map.of("ham", 30, "phishing", 10), "validation", Map.of("ham", 2, "phishing", 2),
                    "test", Map.of("ham", 9, "phishing", 1)));

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, ShardManifest> data = new HashMap<>(Map.of("ckpt-a", MAIL));
    private final ServingMeters meters = new ServingMeters(registry, c -> Optional.ofNullable(data.get(c)));

    @Test
    void predictionsAreCountedPerDeploymentAndPredictedLabel() {
        meters.answered(new RequestBatch.Outcome(List.of(prediction("phishing", "ham"), prediction("phishing", "ham"),
                prediction("phishing", "phishing"), prediction("spam", "ham")),
                List.of(new DeadLetter(1, "evaluator-service", "kafka:t/0@1", null, "unknown-deployment",
                        "no deployment x", "{}", Instant.EPOCH))),
                5, Duration.ofMillis(40));

        assertThat(sample("finetune_serving_predictions_total{deployment=\"phishing\",label=\"ham\",}")).isEqualTo(2);
        assertThat(sample("finetune_serving_predictions_total{deployment=\"phishing\",label=\"phishing\",}"))
                .isEqualTo(1);
        assertThat(sample("finetune_serving_predictions_total{deployment=\"spam\",label=\"ham\",}")).isEqualTo(1);
        assertThat(sample("finetune_serving_dead_letters_total{reason=\"unknown-deployment\",}")).isEqualTo(1);
        assertThat(sample("finetune_serving_batch_size_sum")).isEqualTo(5);
        assertThat(sample("finetune_serving_latency_seconds_count")).isEqualTo(4);
    }

    @Test
    void correctionsAreCountedByDeploymentGivenLabelAndWhetherThePredictionWasWrong() {
        meters.corrected("phishing", "ham", "phishing");
        meters.corrected("phishing", "ham", "phishing");
        meters.corrected("phishing", "phishing", "phishing");
        meters.corrected("phishing", "ham", null);

        assertThat(sample("finetune_serving_corrections_total{deployment=\"phishing\",label=\"ham\",prediction=\"wrong\",}"))
                .isEqualTo(2);
        assertThat(sample("finetune_serving_corrections_total{deployment=\"phishing\",label=\"phishing\","
                + "prediction=\"right\",}")).isEqualTo(1);
        assertThat(sample("finetune_serving_corrections_total{deployment=\"phishing\",label=\"ham\","
                + "prediction=\"unknown\",}")).isEqualTo(1);
    }

    @Test
    void theServedCheckpointIsOneSeriesPerDeploymentAndASwapRemovesTheOldOne() {
        Deployment phishing = Deployment.create("phishing", "ckpt-a", List.of("text"), Instant.EPOCH);
        meters.deployments(List.of(phishing, Deployment.create("spam", "ckpt-a", List.of("text"), Instant.EPOCH)));
        assertThat(sample("finetune_serving_checkpoint_info{checkpoint=\"ckpt-a\",deployment=\"phishing\",}"))
                .isEqualTo(1);
        assertThat(sample("finetune_serving_checkpoint_info{checkpoint=\"ckpt-a\",deployment=\"spam\",}"))
                .isEqualTo(1);

        meters.deployments(List.of(phishing.pointedAt("ckpt-b", List.of("text"), Instant.EPOCH),
                Deployment.create("spam", "ckpt-a", List.of("text"), Instant.EPOCH)));

        assertThat(series("finetune_serving_checkpoint_info{")).containsExactlyInAnyOrder(
                "finetune_serving_checkpoint_info{checkpoint=\"ckpt-b\",deployment=\"phishing\",} 1.0",
                "finetune_serving_checkpoint_info{checkpoint=\"ckpt-a\",deployment=\"spam\",} 1.0");
    }

    @Test
    void theDatasetSharesAreThoseOfTheServedCheckpointsTrainAndTestSplits() {
        meters.deployments(List.of(Deployment.create("phishing", "ckpt-a", List.of("text"), Instant.EPOCH)));

        assertThat(sample("finetune_serving_dataset_share{deployment=\"phishing\",label=\"ham\",split=\"train\",}"))
                .isEqualTo(0.75);
        assertThat(sample("finetune_serving_dataset_share{deployment=\"phishing\",label=\"phishing\",split=\"train\",}"))
                .isEqualTo(0.25);
        assertThat(sample("finetune_serving_dataset_share{deployment=\"phishing\",label=\"phishing\",split=\"test\",}"))
                .isEqualTo(0.1);
        assertThat(series("finetune_serving_dataset_share{")).hasSize(4); // no validation split

        // A checkpoint of another dataset build: its shares replace the old ones, labels it lacks disappear.
        data.put("ckpt-c", manifest(List.of("ham", "phishing", "spam"),
                Map.of("train", Map.of("ham", 1, "phishing", 1, "spam", 2))));
        meters.deployments(List.of(Deployment.create("phishing", "ckpt-c", List.of("text"), Instant.EPOCH)));
        assertThat(series("finetune_serving_dataset_share{")).containsExactlyInAnyOrder(
                "finetune_serving_dataset_share{deployment=\"phishing\",label=\"ham\",split=\"train\",} 0.25",
                "finetune_serving_dataset_share{deployment=\"phishing\",label=\"phishing\",split=\"train\",} 0.25",
                "finetune_serving_dataset_share{deployment=\"phishing\",label=\"spam\",split=\"train\",} 0.5");

        // No dataset on record for the checkpoint (an evaluation stored before manifests were kept): no shares.
        meters.deployments(List.of(Deployment.create("phishing", "ckpt-unknown", List.of("text"), Instant.EPOCH)));
        assertThat(series("finetune_serving_dataset_share{")).isEmpty();
        assertThat(series("finetune_serving_checkpoint_info{")).containsExactly(
                "finetune_serving_checkpoint_info{checkpoint=\"ckpt-unknown\",deployment=\"phishing\",} 1.0");
    }

    private static Prediction prediction(String deployment, String label) {
        return new Prediction(1, "r-" + label, deployment, "ckpt-a", label, Map.of(label, 1.0), 10, false,
                new Prediction.Timings(5, 20, 4), Instant.EPOCH, "evaluator-serving");
    }

    private static ShardManifest manifest(List<String> labels, Map<String, Map<String, Integer>> counts) {
        return new ShardManifest(ShardManifest.VERSION, "mail", "build-1", labels, Map.of("train", 1), counts,
                "distilbert-tiny:abc", "distilbert-tiny", 64, "hash", null);
    }

    private List<String> series(String prefix) {
        return registry.scrape().lines().filter(l -> l.startsWith(prefix)).toList();
    }

    private double sample(String series) {
        List<String> lines = series(series + " ");
        assertThat(lines).as("series %s in\n%s", series, registry.scrape()).hasSize(1);
        return Double.parseDouble(lines.get(0).substring(series.length() + 1));
    }
}

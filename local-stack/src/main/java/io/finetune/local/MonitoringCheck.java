package io.finetune.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.finetune.contracts.EvaluationResult;
import io.finetune.contracts.InferenceRequest;
import io.finetune.contracts.Prediction;
import io.finetune.contracts.sample.SampleReviews;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * deploy/check-monitoring: the four packaged services, one serving replica of the evaluator (so that the serving
 * panels are proven to sum over processes and the per-process ones to tell them apart) and a real broker
 * (LocalStack), a real Prometheus scraping them, one pipeline run (records in over REST and Kafka, some rejected, preparation, training, evaluation), its
 * model deployed and answering requests from the requests topic (one of them bad), then every query of every Grafana
 * dashboard panel must return data. Exit status 0 only when all do, so a renamed
 * metric or a typo in a dashboard fails the check instead of leaving an empty panel.
 * <p>
 * Properties: {@code repo.root}, {@code prometheus.bin} (default {@code prometheus} on the PATH).
 */
public final class MonitoringCheck {
    private static final String DATASET = "monitoring-check";
    private static final String DEPLOYMENT = "monitoring-check";
    /** Per query: it may need a few more scrapes after the run (rates need two samples inside their window). */
    private static final Duration QUERY_PATIENCE = Duration.ofSeconds(30);
    /** Serving replicas beside the evaluator: the requests topic's partitions are shared between it and them. */
    private static final int SERVING_REPLICAS = 1;

    public static void main(String[] args) {
        Path root = Path.of(System.getProperty("repo.root", ".")).toAbsolutePath().normalize();
        Path state = root.resolve(".data/monitoring-check");
        Path binary = Path.of(System.getProperty("prometheus.bin", "prometheus"));
        List<DashboardQueries.Query> queries = DashboardQueries.load(root.resolve("monitoring/grafana/dashboards"));
        Demo.say("Dashboards: " + queries.size() + " panel queries. Starting Kafka, the four services and "
                + SERVING_REPLICAS + " serving replica in " + state);
        List<String> failures;
        try (LocalStack stack = LocalStack.prepare(root, state, 0);
             PrometheusServer prometheus = startAll(stack, binary, state)) {
            Demo.say("Prometheus at " + prometheus.url() + ", scraping every "
                    + PrometheusServer.SCRAPE_INTERVAL.toSeconds() + " s");
            failures = checkRun(stack, prometheus, queries, state);
        }
        if (!failures.isEmpty()) {
            Demo.say("\n" + failures.size() + " of " + queries.size() + " panel queries returned no data:");
            failures.forEach(f -> Demo.say("  " + f));
            Demo.say("The services' metrics as scraped are in " + state.resolve("metrics"));
            System.exit(1);
        }
        Demo.say("\nAll " + queries.size() + " panel queries returned data.");
    }

    private static PrometheusServer startAll(LocalStack stack, Path binary, Path state) {
        stack.startAll(0, Map.of(LocalStack.SERVING_REPLICAS, SERVING_REPLICAS));
        return PrometheusServer.start(binary, state.resolve("prometheus"), targets(stack));
    }

    private static List<String> checkRun(LocalStack stack, PrometheusServer prometheus,
                                         List<DashboardQueries.Query> queries, Path state) {
        String jobId = runPipeline(stack);
        try (ServingScenario serving = new ServingScenario(stack)) {
            serve(serving, jobId + "-final");
            saveMetrics(stack, state.resolve("metrics"));
            // Rate panels need requests inside their window: keep a user's light read traffic and a trickle of
            // inference requests going meanwhile, as a dashboard would see them, instead of depending on when
            // the pipeline's own calls fell.
            try (Traffic ignored = Traffic.start(new PipelineClient(stack), serving)) {
                return check(prometheus, queries);
            }
        }
    }

    /** Each service's processes, and the serving replicas as a job of their own, as compose's Prometheus has them. */
    private static Map<String, List<String>> targets(LocalStack stack) {
        Map<String, List<String>> targets = new LinkedHashMap<>();
        for (String service : processNames()) {
            targets.put(service, stack.instances(service).stream()
                    .map(process -> URI.create(process.url()).getAuthority()).toList());
        }
        return targets;
    }

    /**
     * The demo's run, smaller: enough for every meter to exist, with rejected records and consumer lag among them.
     *
     * @return the training job's id
     */
    private static String runPipeline(LocalStack stack) {
        PipelineScenario scenario = new PipelineScenario(stack);
        List<SampleReviews.Review> reviews = SampleReviews.generate(600, 5);
        List<String> bad = List.of("{not json", "{\"dataset\":\"" + DATASET + "\",\"label\":\"positive\"}");
        scenario.push(DATASET, reviews, reviews.size() / 2, bad);
        scenario.seal(DATASET, reviews.size() + bad.size(), Map.of("model", "distilbert-tiny", "maxLength", 64));
        scenario.awaitPrepared(DATASET, Duration.ofMinutes(3));
        String jobId = scenario.submit(DATASET, "distilbert-tiny",
                Map.of("learningRate", 5e-3, "epochs", 2, "batchSize", 16, "maxLength", 64));
        EvaluationResult result = scenario.awaitFinalEvaluation(jobId, p -> { }, Duration.ofMinutes(5));
        Demo.say(String.format("Pipeline ran: job %s, accuracy %.3f, macro F1 %.3f", jobId, result.accuracy(),
                result.macroF1()));
        return jobId;
    }

    /**
     * Deploys the checkpoint and has it answer a few requests, dead-letter a bad one and take a correction, so
     * serving's meters exist.
     */
    private static void serve(ServingScenario serving, String checkpoint) {
        serving.deploy(DEPLOYMENT, checkpoint);
        Set<String> ids = new LinkedHashSet<>();
        Map<String, String> texts = new LinkedHashMap<>();
        for (SampleReviews.Review review : SampleReviews.generate(20, 11)) {
            String id = "monitoring-" + review.id();
            serving.request(new InferenceRequest(id, review.text(), DEPLOYMENT));
            ids.add(id);
            texts.put(id, review.text());
        }
        serving.send("monitoring-bad", "{not json");
        Map<String, Prediction> predictions = serving.awaitPredictions(ids, Duration.ofMinutes(2));
        Demo.say("Deployment " + DEPLOYMENT + " serves " + checkpoint + ": " + predictions.size() + " predictions");
        // A person says the first one was wrong: the corrections meter exists (the sealed dataset dead-letters it).
        Prediction first = predictions.get(ids.iterator().next());
        String other = first.probabilities().keySet().stream().filter(l -> !l.equals(first.label())).findFirst()
                .orElseThrow();
        serving.correct(DEPLOYMENT, first.requestId(), texts.get(first.requestId()), other, first.label());
    }

    private static List<String> check(PrometheusServer prometheus, List<DashboardQueries.Query> queries) {
        List<String> failures = new ArrayList<>();
        for (DashboardQueries.Query query : queries) {
            long deadline = System.nanoTime() + QUERY_PATIENCE.toNanos();
            JsonNode result;
            do {
                result = prometheus.query(query.expr());
                if (hasData(result)) {
                    break;
                }
                PrometheusServer.sleep(1000);
            } while (System.nanoTime() < deadline);
            Demo.say(String.format("  %-4s %s", hasData(result) ? result.size() : "NONE", query));
            if (!hasData(result)) {
                failures.add(query.toString());
            }
        }
        return failures;
    }

    /** Reads each service's REST API and puts an inference request on the topic twice a second until closed. */
    private static final class Traffic implements AutoCloseable {
        private final Thread thread;
        private volatile boolean running = true;

        private Traffic(PipelineClient client, ServingScenario serving) {
            List<SampleReviews.Review> texts = SampleReviews.generate(50, 12);
            thread = new Thread(() -> {
                for (int i = 0; running; i++) {
                    serving.request(new InferenceRequest("traffic-" + i, texts.get(i % texts.size()).text(),
                            DEPLOYMENT));
                    client.get("ingest-service", "/datasets/" + DATASET);
                    client.get("preprocess-service", "/datasets");
                    client.get("trainer-service", "/jobs");
                    client.get("evaluator-service", "/evaluations");
                    PrometheusServer.sleep(500);
                }
            }, "dashboard-traffic");
            thread.setDaemon(true);
        }

        static Traffic start(PipelineClient client, ServingScenario serving) {
            Traffic traffic = new Traffic(client, serving);
            traffic.thread.start();
            return traffic;
        }

        @Override
        public void close() {
            running = false;
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** At least one series whose current value is a number: NaN is what a gauge shows before its first update. */
    static boolean hasData(JsonNode result) {
        for (JsonNode series : result) {
            String value = series.path("value").path(1).asText("NaN");
            if (!value.equals("NaN")) {
                return true;
            }
        }
        return false;
    }

    private static void saveMetrics(LocalStack stack, Path dir) {
        HttpClient http = HttpClient.newHttpClient();
        try {
            Files.createDirectories(dir);
            for (String service : processNames()) {
                for (ServiceProcess process : stack.instances(service)) {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                            URI.create(process.url() + "/q/metrics")).build(), HttpResponse.BodyHandlers.ofString());
                    Files.writeString(dir.resolve(process.name() + ".txt"), response.body());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the services' metrics", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static List<String> processNames() {
        List<String> names = new ArrayList<>(LocalStack.SERVICES);
        names.add(LocalStack.SERVING_REPLICAS);
        return names;
    }

    private MonitoringCheck() {
    }
}

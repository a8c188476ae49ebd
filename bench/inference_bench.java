// Java side of bench/inference-throughput: run as a single-file source program with evaluator-service's classpath.
// Prints one JSON line: evaluation throughput (Predictor, distilbert-base shape, random weights) and /predict latency
// over HTTP against a packaged evaluator-service started on a real local Kafka broker (kafka-local). bench/lib's
// classes (benchlib) are on the classpath too: the launcher compiles them.

import ai.djl.Device;
import benchlib.BenchService;
import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.ClassMetrics;
import io.finetune.contracts.EvaluationResult;
import io.finetune.contracts.Json;
import io.finetune.distilbert.BundledModels;
import io.finetune.distilbert.EncoderClassifier;
import io.finetune.distilbert.EncoderConfig;
import io.finetune.distilbert.Predictor;
import io.finetune.distilbert.TextTokenizer;
import io.finetune.evaluator.domain.EvaluatedCheckpoint;
import io.finetune.kafka.local.LocalKafka;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

public class InferenceBench {
    static final int SEQ = 128;
    static final int BATCH = 32;
    static final String CHECKPOINT = "bench-base-ckpt";
    static final List<String> LABELS = List.of("NEGATIVE", "POSITIVE");

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        Path serviceJar = Path.of(args[1]);
        int batches = Integer.parseInt(args[2]);
        int requests = Integer.parseInt(args[3]);
        // distilbert-base-uncased: dim 768, FFN 3072, 6 layers, 12 heads, 30522 tokens, 512 positions.
        EncoderConfig config = EncoderConfig.of(768, 3072, 6, 12, 30522, 512, LABELS);
        Path modelDir = work.resolve("data/models/" + CHECKPOINT);
        double samplesPerS;
        try (EncoderClassifier model = EncoderClassifier.create(config, 42, Device.cpu())) {
            Random random = new Random(1);
            List<int[]> inputs = new ArrayList<>();
            for (int i = 0; i < BATCH * batches; i++) {
                int[] ids = random.ints(SEQ, 1000, 30000).toArray();
                ids[0] = 101;
                ids[SEQ - 1] = 102;
                inputs.add(ids);
            }
            Predictor.probabilities(model, inputs.subList(0, BATCH * 2), BATCH); // warm-up: allocator, JIT
            long start = System.nanoTime();
            Predictor.probabilities(model, inputs, BATCH);
            samplesPerS = inputs.size() / ((System.nanoTime() - start) / 1e9);
            model.save(modelDir);
        }
        // The tiny model's WordPiece tokenizer: its ids are valid for the base vocabulary too, and the text below
        // is long enough to be cut at exactly SEQ tokens, so every request runs a full 128-token forward pass.
        Path tiny = BundledModels.extract(BundledModels.DEMO_MODEL, work.resolve("tiny"));
        EncoderClassifier.copyTokenizerFiles(tiny, modelDir);
        String text = String.join(" ", java.util.Collections.nCopies(200, "good bad movie plot"));
        try (TextTokenizer tokenizer = TextTokenizer.load(modelDir, SEQ)) {
            int tokens = tokenizer.encode(text).inputIds().length;
            if (tokens != SEQ) {
                throw new IllegalStateException("bench text tokenizes to " + tokens + " tokens, not " + SEQ);
            }
        }
        writeEvaluation(work.resolve("data/evaluations"));
        double[] latencies = predictOverHttp(work, serviceJar, text, requests);
        Arrays.sort(latencies);
        System.out.println(String.format(Locale.ROOT, "{\"samples_per_s\": %.2f, \"predict_p50_ms\": %.2f, "
                        + "\"predict_p99_ms\": %.2f, \"predict_requests\": %d, \"predict_path\": \"http\"}",
                samplesPerS, percentile(latencies, 0.50), percentile(latencies, 0.99), requests));
    }

    /** The service serves /predict for checkpoints on record: this is the record an evaluation would leave. */
    static void writeEvaluation(Path dir) throws Exception {
        Files.createDirectories(dir);
        EvaluationResult result = new EvaluationResult(EvaluationResult.VERSION, "bench-job", CHECKPOINT, "bench", 1,
                1L, "test", 1, 0.5, 0.69, 0.5, 0.5, LABELS, List.of(new ClassMetrics("NEGATIVE", 0.5, 0.5, 0.5, 1),
                new ClassMetrics("POSITIVE", 0.5, 0.5, 0.5, 1)), new int[][]{{1, 0}, {1, 0}}, Instant.now(),
                null, null, null, null, "fp32");
        Files.writeString(dir.resolve(CHECKPOINT + ".json"),
                Json.write(new EvaluatedCheckpoint(result, null, null, null, List.of(), 0)));
    }

    static double[] predictOverHttp(Path work, Path serviceJar, String text, int requests) throws Exception {
        try (LocalKafka kafka = LocalKafka.onFreePort(Files.createDirectories(work.resolve("kafka"))).start()) {
            int port;
            try (var socket = new java.net.ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Path log = work.resolve("service.log");
            ProcessBuilder builder = new ProcessBuilder("java", "-Dai.djl.offline=true",
                    "-Dkafka.bootstrap.servers=" + kafka.bootstrapServers(), "-Dquarkus.http.port=" + port,
                    "-Devaluator.data-dir=" + work.resolve("data"), "-jar", serviceJar.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            // Authentication on, as deployed (a key of this run, in the environment): the timings include its check.
            String apiKey = java.util.UUID.randomUUID() + "-" + java.util.UUID.randomUUID();
            builder.environment().put("FINETUNE_API_KEYS", apiKey);
            Process service = builder.start();
            try {
                HttpClient http = HttpClient.newHttpClient();
                String base = "http://127.0.0.1:" + port;
                BenchService.awaitReady("evaluator-service", base, service, log, Duration.ofMinutes(2));
                HttpRequest predict = HttpRequest.newBuilder(URI.create(base + "/predict"))
                        .header("Content-Type", "application/json").header("X-API-Key", apiKey)
                        .POST(HttpRequest.BodyPublishers.ofString(Json.write(Map.of("texts", List.of(text),
                                "checkpoint", CHECKPOINT)))).build();
                for (int i = 0; i < 5; i++) { // warm-up; the first call also loads the model
                    send(http, predict);
                }
                double[] ms = new double[requests];
                for (int i = 0; i < requests; i++) {
                    long start = System.nanoTime();
                    send(http, predict);
                    ms[i] = (System.nanoTime() - start) / 1e6;
                }
                return ms;
            } finally {
                service.destroy();
                service.waitFor();
            }
        }
    }

    static void send(HttpClient http, HttpRequest request) throws Exception {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("/predict answered " + response.statusCode() + ": " + response.body());
        }
    }

    static double percentile(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }
}

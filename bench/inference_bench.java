// Java side of bench/inference-throughput: run as a single-file source program with evaluator-service's test
// classpath (and bench/lib's classes, which the launcher compiles). Prints one JSON line: evaluation throughput
// through io.finetune.distilbert.Predictor for one shape (random weights) and precision; with --predict-requests N
// (the base shape in fp32, evaluator.precision's default), also /predict latency over HTTP against the packaged
// evaluator-service started on a real local Kafka broker (kafka-local), serving the model just timed.
//
//   inference_bench.java --shape base|small [--precision fp32|bf16] [--warmup 2] [--seconds 20]
//                        [--predict-requests N --work DIR --service-jar JAR] [--check-only true]
//
// Timing: --warmup batches, then batches until --seconds have passed (at least one). On a CPU without bfloat16
// units, --precision bf16 prints why on stderr and exits 3; --check-only true stops after that check.

import ai.djl.Device;
import benchlib.BenchService;
import io.finetune.contracts.ClassMetrics;
import io.finetune.contracts.EvaluationResult;
import io.finetune.contracts.Json;
import io.finetune.distilbert.Autocast;
import io.finetune.distilbert.BundledModels;
import io.finetune.distilbert.EncoderClassifier;
import io.finetune.distilbert.EncoderConfig;
import io.finetune.distilbert.MklVendorCheck;
import io.finetune.distilbert.ModelFamily;
import io.finetune.distilbert.Precision;
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
import java.util.HashMap;
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
        Map<String, String> options = options(args);
        String shape = options.getOrDefault("--shape", "");
        Precision precision = Precision.ofFlag(options.getOrDefault("--precision", "fp32"));
        int warmup = Integer.parseInt(options.getOrDefault("--warmup", "2"));
        double seconds = Double.parseDouble(options.getOrDefault("--seconds", "20"));
        int requests = Integer.parseInt(options.getOrDefault("--predict-requests", "0"));
        var unsupported = Autocast.unsupportedReason(precision, Device.cpu());
        if (unsupported.isPresent()) {
            System.err.println(unsupported.get());
            System.exit(3);
        }
        if (Boolean.parseBoolean(options.get("--check-only"))) {
            return;
        }
        EncoderConfig config = config(shape);
        Path modelDir = requests > 0 ? Path.of(options.get("--work")).resolve("data/models/" + CHECKPOINT) : null;
        String json;
        try (EncoderClassifier model = EncoderClassifier.create(config, 42, Device.cpu())) {
            List<int[]> inputs = randomInputs(BATCH);
            for (int i = 0; i < warmup; i++) { // allocator pools, the JIT, oneDNN's kernels for this precision
                Predictor.probabilities(model, inputs, BATCH, precision);
            }
            long batches = 0;
            long start = System.nanoTime();
            while (batches == 0 || (System.nanoTime() - start) / 1e9 < seconds) {
                Predictor.probabilities(model, inputs, BATCH, precision);
                batches++;
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            json = String.format(Locale.ROOT, "\"shape\": \"%s\", \"precision\": \"%s\", \"samples_per_s\": %.2f, "
                            + "\"batches\": %d, \"seconds\": %.2f, \"mkl_vendor_check\": \"%s\"", shape,
                    precision.flag(), batches * BATCH / elapsed, batches, elapsed, MklVendorCheck.outcome());
            if (modelDir != null) {
                model.save(modelDir);
            }
        }
        if (requests > 0) {
            if (!"base".equals(shape) || precision != Precision.FP32) {
                throw new IllegalArgumentException("/predict is timed on the base shape in fp32");
            }
            double[] latencies = predictOverHttp(Path.of(options.get("--work")), Path.of(options.get("--service-jar")),
                    modelDir, requests);
            Arrays.sort(latencies);
            json += String.format(Locale.ROOT, ", \"predict_p50_ms\": %.2f, \"predict_p99_ms\": %.2f, "
                            + "\"predict_requests\": %d, \"predict_path\": \"http\"",
                    percentile(latencies, 0.50), percentile(latencies, 0.99), requests);
        }
        System.out.println("{" + json + "}");
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("Missing value after " + args[args.length - 1]);
        }
        return options;
    }

    /** The shapes of bench/train-throughput (TrainThroughput.config), so the two benches time the same models. */
    static EncoderConfig config(String shape) {
        return switch (shape) {
            // distilbert-base-uncased: dim 768, FFN 3072, 6 layers, 12 heads, 30522 tokens, 512 positions
            case "base" -> EncoderConfig.of(768, 3072, 6, 12, 30522, 512, LABELS);
            // all-MiniLM-L6-v2's encoder: BertConfig's defaults but for the sizes
            case "small" -> new EncoderConfig(ModelFamily.BERT, 384, 1536, 6, 12, 30522, 512, 2, 0.1, 0.1, 0.1,
                    "gelu", 0.02, 1e-12, 0, LABELS, Map.of());
            default -> throw new IllegalArgumentException("--shape must be base or small, got '" + shape + "'");
        };
    }

    /** Full-length random sequences between [CLS] and [SEP]: every batch has the same shape, no padding. */
    static List<int[]> randomInputs(int count) {
        Random random = new Random(1);
        List<int[]> inputs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int[] ids = random.ints(SEQ, 1000, 30000).toArray();
            ids[0] = 101;
            ids[SEQ - 1] = 102;
            inputs.add(ids);
        }
        return inputs;
    }

    /** The service serves /predict for checkpoints on record: this is the record an evaluation would leave. */
    static void writeEvaluation(Path dir) throws Exception {
        Files.createDirectories(dir);
        EvaluationResult result = new EvaluationResult(EvaluationResult.VERSION, "bench-job", CHECKPOINT, "bench", 1,
                1L, "test", 1, 0.5, 0.69, 0.5, 0.5, LABELS, List.of(new ClassMetrics("NEGATIVE", 0.5, 0.5, 0.5, 1),
                new ClassMetrics("POSITIVE", 0.5, 0.5, 0.5, 1)), new int[][]{{1, 0}, {1, 0}}, Instant.now(),
                null, null, null, null, "fp32");
        Files.writeString(dir.resolve(CHECKPOINT + ".json"),
                Json.write(new EvaluatedCheckpoint(result, null, null, null, List.of(), 0, null)));
    }

    /** Latencies in ms of {@code requests} POST /predict calls, each one 128-token text, after 5 warm-up calls. */
    static double[] predictOverHttp(Path work, Path serviceJar, Path modelDir, int requests) throws Exception {
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
        try (LocalKafka kafka = LocalKafka.onFreePort(Files.createDirectories(work.resolve("kafka"))).start()) {
            int port;
            try (var socket = new java.net.ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Path log = work.resolve("service.log");
            ProcessBuilder builder = new ProcessBuilder("java", "-Dai.djl.offline=true",
                    "-Dkafka.bootstrap.servers=" + kafka.bootstrapServers(), "-Dquarkus.http.port=" + port,
                    "-Devaluator.data-dir=" + work.resolve("data"),
                    // this is the fp32 line, whatever EVALUATOR_PRECISION the environment sets
                    "-Devaluator.precision=fp32", "-jar", serviceJar.toString())
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

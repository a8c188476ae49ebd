// Java side of bench/stream-inference: run as a single-file source program with evaluator-service's test classpath
// (and bench/lib's classes, which the launcher compiles). Two steps, so that the Hugging Face reference can run on
// the same texts and tokenizer before and after the timed stream:
//
//   stream_inference.java --step prepare --work DIR --n N --warmup W --shape base|small --max-length L
//       writes DIR/texts.txt (warm-up texts first, then the N timed ones, one per line), a random-weight model of the
//       shape with the bundled WordPiece tokenizer in DIR/data/models/<checkpoint>, and the evaluation record the
//       evaluator serves a checkpoint by; prints one JSON line about the texts (words, tokens, share cut at L).
//   stream_inference.java --step stream --work DIR --n N --warmup W --service-jar JAR --threads T
//       [--max-batch 64] [--batch-size 8] [--latency-requests 30]
//       starts a real local Kafka broker (kafka-local) and the packaged evaluator-service on it, creates a deployment
//       on the checkpoint over REST, and times the texts through finetune.inference.requests to
//       finetune.inference.predictions; prints one JSON line.
//
// Throughput: the W warm-up requests are answered first (model load, kernels); then the N timed ones are sent at once,
// as a backlog, and the clock runs from the first send until the bench's consumer has read the last prediction.
// Latency: afterwards, --latency-requests more, paced at half the measured throughput, each from its send to the
// bench reading its prediction: what a request sees on a deployment that keeps up. batch_mean: requests per poll over
// the timed backlog, from the service's finetune_serving_batch_size meter.

import benchlib.BenchService;
import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.ClassMetrics;
import io.finetune.contracts.EvaluationResult;
import io.finetune.contracts.InferenceRequest;
import io.finetune.contracts.Json;
import io.finetune.contracts.Prediction;
import io.finetune.contracts.ShardManifest;
import io.finetune.contracts.Topics;
import io.finetune.contracts.sample.SampleReviews;
import io.finetune.distilbert.BundledModels;
import io.finetune.distilbert.EncoderClassifier;
import io.finetune.distilbert.EncoderConfig;
import io.finetune.distilbert.ModelFamily;
import io.finetune.distilbert.TextTokenizer;
import io.finetune.evaluator.domain.EvaluatedCheckpoint;
import io.finetune.kafka.local.LocalKafka;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

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

public class StreamInference {
    static final String CHECKPOINT = "bench-stream-ckpt";
    static final String DEPLOYMENT = "bench";
    static final List<String> LABELS = List.of("NEGATIVE", "POSITIVE");
    static final Duration PATIENCE = Duration.ofMinutes(10);

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        Path work = Path.of(options.get("--work"));
        int n = Integer.parseInt(options.getOrDefault("--n", "256"));
        int warmup = Integer.parseInt(options.getOrDefault("--warmup", "64"));
        switch (options.getOrDefault("--step", "")) {
            case "prepare" -> prepare(work, n, warmup, options.getOrDefault("--shape", "base"),
                    Integer.parseInt(options.getOrDefault("--max-length", "256")));
            case "stream" -> stream(work, n, warmup, options);
            default -> throw new IllegalArgumentException("--step must be prepare or stream");
        }
    }

    // ---- prepare -------------------------------------------------------------------------------------------------

    static void prepare(Path work, int n, int warmup, String shape, int maxLength) throws Exception {
        List<String> texts = texts(warmup + n);
        Files.writeString(work.resolve("texts.txt"), String.join("\n", texts) + "\n");
        Path modelDir = work.resolve("data/models/" + CHECKPOINT);
        try (EncoderClassifier model = EncoderClassifier.create(config(shape), 42, ai.djl.Device.cpu())) {
            model.save(modelDir);
        }
        // The tiny model's WordPiece tokenizer (uncased English): its ids are valid for the base vocabulary too.
        EncoderClassifier.copyTokenizerFiles(BundledModels.extract(BundledModels.DEMO_MODEL, work.resolve("tiny")),
                modelDir);
        writeEvaluation(work.resolve("data/evaluations"), maxLength);
        long words = 0;
        long tokens = 0;
        int cut = 0;
        try (TextTokenizer tokenizer = TextTokenizer.load(modelDir, maxLength)) {
            for (String text : texts.subList(warmup, texts.size())) {
                words += text.split(" ").length;
                TextTokenizer.Encoded encoded = tokenizer.encode(text);
                tokens += encoded.inputIds().length;
                cut += encoded.truncated() ? 1 : 0;
            }
        }
        System.out.printf(Locale.ROOT, "{\"texts\": %d, \"words_mean\": %.1f, \"tokens_mean\": %.1f, "
                + "\"truncated_share\": %.3f, \"max_length\": %d}%n", n, (double) words / n, (double) tokens / n,
                (double) cut / n, maxLength);
    }

    /**
     * IMDB-like lengths: words per text log-normal with IMDB's median (about 175) and mean (about 230), so about half
     * the texts are cut at 256 tokens and the rest vary, as dynamic padding meets them in real reviews. The words are
     * the sample reviews' sentences (the tokenizer knows them), seeded: every run sends the same texts.
     */
    static List<String> texts(int count) {
        Random random = new Random(17);
        List<String> sentences = new ArrayList<>();
        SampleReviews.generate(2000, 17).forEach(r -> sentences.addAll(Arrays.asList(r.text().split("(?<=[.!]) "))));
        double mu = Math.log(175);
        double sigma = Math.sqrt(2 * Math.log(230.0 / 175));
        List<String> texts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int words = (int) Math.max(10, Math.min(1500, Math.round(Math.exp(mu + sigma * random.nextGaussian()))));
            List<String> out = new ArrayList<>(words + 20);
            while (out.size() < words) {
                out.addAll(Arrays.asList(sentences.get(random.nextInt(sentences.size())).split(" ")));
            }
            texts.add(String.join(" ", out.subList(0, words)));
        }
        return texts;
    }

    /** The shapes of bench/inference-throughput, so the benches time the same models. */
    static EncoderConfig config(String shape) {
        return switch (shape) {
            case "base" -> EncoderConfig.of(768, 3072, 6, 12, 30522, 512, LABELS);
            case "small" -> new EncoderConfig(ModelFamily.BERT, 384, 1536, 6, 12, 30522, 512, 2, 0.1, 0.1, 0.1,
                    "gelu", 0.02, 1e-12, 0, LABELS, Map.of());
            default -> throw new IllegalArgumentException("--shape must be base or small, got '" + shape + "'");
        };
    }

    /**
     * What an evaluation leaves on record, which is what a deployment may be created on. Its checkpoint's settings
     * and dataset build carry {@code maxLength}, the length the evaluator tokenizes served texts to; the build's
     * train counts give the dataset-share gauges something to show.
     */
    static void writeEvaluation(Path dir, int maxLength) throws Exception {
        Files.createDirectories(dir);
        EvaluationResult result = new EvaluationResult(EvaluationResult.VERSION, "bench-job", CHECKPOINT, "bench", 1,
                1L, "test", 1, 0.5, 0.69, 0.5, 0.5, LABELS, List.of(new ClassMetrics("NEGATIVE", 0.5, 0.5, 0.5, 1),
                new ClassMetrics("POSITIVE", 0.5, 0.5, 0.5, 1)), new int[][]{{1, 0}, {1, 0}}, Instant.now(),
                null, null, null, null, "fp32");
        CheckpointInfo info = Json.read("{\"v\": 1, \"jobId\": \"bench-job\", \"checkpointId\": \"" + CHECKPOINT
                + "\", \"dataset\": \"bench\", \"build\": \"bench-build\", \"baseModel\": \"random\", \"epoch\": 1,"
                + " \"step\": 1, \"last\": true, \"hyperparameters\": {\"maxLength\": " + maxLength + "}}",
                CheckpointInfo.class);
        ShardManifest data = new ShardManifest(ShardManifest.VERSION, "bench", "bench-build", LABELS,
                Map.of("train", 1, "test", 1), Map.of("train", Map.of("NEGATIVE", 500, "POSITIVE", 500),
                "test", Map.of("NEGATIVE", 50, "POSITIVE", 50)), "bench", "random", maxLength, "bench", null);
        Files.writeString(dir.resolve(CHECKPOINT + ".json"),
                Json.write(new EvaluatedCheckpoint(result, info, data, null, List.of(), 0, null)));
    }

    // ---- stream --------------------------------------------------------------------------------------------------

    static void stream(Path work, int n, int warmup, Map<String, String> options) throws Exception {
        List<String> texts = Files.readAllLines(work.resolve("texts.txt"));
        int threads = Integer.parseInt(options.get("--threads"));
        int maxBatch = Integer.parseInt(options.getOrDefault("--max-batch", "64"));
        int batchSize = Integer.parseInt(options.getOrDefault("--batch-size", "8"));
        int latencyRequests = Math.min(n, Integer.parseInt(options.getOrDefault("--latency-requests", "30")));
        try (LocalKafka kafka = LocalKafka.onFreePort(Files.createDirectories(work.resolve("kafka"))).start()
                .ensureTopics()) {
            int port;
            try (var socket = new java.net.ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Path log = work.resolve("service.log");
            String apiKey = java.util.UUID.randomUUID() + "-" + java.util.UUID.randomUUID();
            ProcessBuilder builder = new ProcessBuilder("java", "-Dai.djl.offline=true",
                    "-Dkafka.bootstrap.servers=" + kafka.bootstrapServers(), "-Dquarkus.http.port=" + port,
                    "-Devaluator.data-dir=" + work.resolve("data"), "-Devaluator.precision=fp32",
                    "-Devaluator.device=cpu", "-Devaluator.batch-size=" + batchSize, "-Dserving.max-batch=" + maxBatch,
                    "-Dai.djl.pytorch.num_threads=" + threads, "-Dai.djl.pytorch.num_interop_threads=1",
                    "-jar", options.get("--service-jar"))
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("FINETUNE_API_KEYS", apiKey);
            Process service = builder.start();
            try {
                String base = "http://127.0.0.1:" + port;
                BenchService.awaitReady("evaluator-service", base, service, log, Duration.ofMinutes(3));
                deploy(base, apiKey);
                try (Stream s = new Stream(kafka.bootstrapServers(), service, log)) {
                    s.sendAll("warm", texts.subList(0, warmup));
                    s.awaitAll("warm", warmup);
                    double[] before = batchMeter(base);
                    long start = System.nanoTime();
                    s.sendAll("run", texts.subList(warmup, warmup + n));
                    s.awaitAll("run", n);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    double[] after = batchMeter(base);
                    double perSecond = n / seconds;
                    double[] latencies = s.paced("paced", texts.subList(warmup, warmup + latencyRequests),
                            perSecond / 2);
                    Arrays.sort(latencies);
                    List<Prediction> timed = s.predictions("run");
                    System.out.printf(Locale.ROOT, "{\"records_per_s\": %.2f, \"seconds\": %.2f, \"p50_ms\": %.1f, "
                                    + "\"p99_ms\": %.1f, \"latency_requests\": %d, \"latency_rate_per_s\": %.2f, "
                                    + "\"batch_mean\": %.2f, \"batches\": %d, \"tokens_mean\": %.1f, "
                                    + "\"inference_ms_mean\": %.1f, \"batches_seconds\": %.2f}%n",
                            perSecond, seconds, percentile(latencies, 0.5), percentile(latencies, 0.99),
                            latencyRequests, perSecond / 2, (after[0] - before[0]) / (after[1] - before[1]),
                            (long) (after[1] - before[1]),
                            timed.stream().mapToInt(Prediction::tokens).average().orElse(0),
                            timed.stream().mapToLong(p -> p.timings().inferenceMs()).average().orElse(0),
                            after[2] - before[2]);
                }
            } finally {
                service.destroy();
                service.waitFor();
            }
        }
    }

    static void deploy(String base, String apiKey) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(base + "/deployments")).header("Content-Type", "application/json")
                .header("X-API-Key", apiKey).POST(HttpRequest.BodyPublishers.ofString(Json.write(
                        Map.of("name", DEPLOYMENT, "checkpoint", CHECKPOINT)))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("POST /deployments answered " + response.statusCode() + ": "
                    + response.body());
        }
    }

    /**
     * {sum, count} of finetune_serving_batch_size and the sum of finetune_serving_batch_duration_seconds (the time
     * the service spent answering polls: checks, model calls, acknowledged sends) in the service's /q/metrics.
     */
    static double[] batchMeter(String base) throws Exception {
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/q/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        double[] out = new double[3];
        List<String> names = List.of("finetune_serving_batch_size_sum", "finetune_serving_batch_size_count",
                "finetune_serving_batch_duration_seconds_sum");
        for (String line : metrics.split("\n")) {
            for (int i = 0; i < names.size(); i++) {
                if (line.startsWith(names.get(i) + " ") || line.startsWith(names.get(i) + "{")) {
                    out[i] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        }
        return out;
    }

    /** The application's side: a producer onto the requests topic, a consumer of the predictions topic. */
    static final class Stream implements AutoCloseable {
        private final KafkaProducer<String, String> producer;
        private final KafkaConsumer<String, String> consumer;
        private final Process service;
        private final Path log;
        /** Request id to the prediction read for it, and when it was read (System.nanoTime). */
        private final Map<String, Prediction> predictions = new HashMap<>();
        private final Map<String, Long> readAt = new HashMap<>();

        Stream(String bootstrap, Process service, Path log) {
            this.service = service;
            this.log = log;
            producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5),
                    new StringSerializer(), new StringSerializer());
            // Read committed: a prediction counts once its batch's transaction is committed, as an application
            // relying on serving's exactly-once answers reads them.
            consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
                    new StringDeserializer());
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.PREDICTIONS).stream()
                    .map(p -> new TopicPartition(Topics.PREDICTIONS, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        void sendAll(String prefix, List<String> texts) {
            for (int i = 0; i < texts.size(); i++) {
                send(prefix + "-" + i, texts.get(i));
            }
            producer.flush();
        }

        private void send(String id, String text) {
            producer.send(new ProducerRecord<>(Topics.INFERENCE_REQUESTS, id,
                    Json.write(new InferenceRequest(id, text, DEPLOYMENT))));
        }

        void awaitAll(String prefix, int count) {
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (count(prefix) < count) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(count(prefix) + " of " + count + " " + prefix
                            + " requests answered within " + PATIENCE.toMinutes() + " min; the service log is " + log);
                }
                BenchService.checkAlive("evaluator-service", service, log);
                read(Duration.ofMillis(100));
            }
        }

        /** Milliseconds from each send to its prediction being read, the sends paced at {@code perSecond}. */
        double[] paced(String prefix, List<String> texts, double perSecond) {
            long interval = (long) (1e9 / perSecond);
            long[] sentAt = new long[texts.size()];
            long next = System.nanoTime();
            for (int i = 0; i < texts.size(); i++) {
                while (System.nanoTime() < next) {
                    read(Duration.ofMillis(Math.max(1, Math.min(20, (next - System.nanoTime()) / 1_000_000))));
                }
                sentAt[i] = System.nanoTime();
                send(prefix + "-" + i, texts.get(i));
                producer.flush();
                next += interval;
            }
            awaitAll(prefix, texts.size());
            double[] ms = new double[texts.size()];
            for (int i = 0; i < ms.length; i++) {
                ms[i] = (readAt.get(prefix + "-" + i) - sentAt[i]) / 1e6;
            }
            return ms;
        }

        List<Prediction> predictions(String prefix) {
            return predictions.entrySet().stream().filter(e -> e.getKey().startsWith(prefix + "-"))
                    .map(Map.Entry::getValue).toList();
        }

        private long count(String prefix) {
            return predictions.keySet().stream().filter(id -> id.startsWith(prefix + "-")).count();
        }

        private void read(Duration wait) {
            for (ConsumerRecord<String, String> record : consumer.poll(wait)) {
                long now = System.nanoTime();
                if (predictions.putIfAbsent(record.key(), Json.read(record.value(), Prediction.class)) == null) {
                    readAt.put(record.key(), now);
                }
            }
        }

        @Override
        public void close() {
            producer.close(Duration.ofSeconds(5));
            consumer.close();
        }
    }

    static double percentile(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
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
}

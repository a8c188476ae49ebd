// Java side of bench/preprocess-throughput: run as a single-file source program on kafka-local's classpath (the
// broker lib carries contracts, Jackson and the Kafka client) and bench/lib's classes, compiled by the launcher.
// Prints one JSON line.

import benchlib.BenchService;
import io.finetune.contracts.DatasetRecord;
import io.finetune.contracts.Json;
import io.finetune.contracts.TopicAdmin;
import io.finetune.contracts.Topics;
import io.finetune.kafka.local.LocalKafka;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

public class PreprocessThroughput {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String[] WORDS = ("the a film movie plot acting actor actress director scene story great "
            + "terrible wonderful boring dull brilliant script character ending music camera performance and of to "
            + "was is it this that with for but not very really quite too much little best worst ever seen watch "
            + "again never loved hated funny sad long short cast role").split(" ");
    static final String MODEL = "distilbert-tiny";
    static final int MAX_LENGTH = 128;
    /** DatasetPreparer's tokenization batch: the baseline uses the same. */
    static final int BATCH = 128;

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        Path jar = Path.of(args[1]).toAbsolutePath();
        int records = Integer.parseInt(args[2]);
        Duration limit = Duration.ofMinutes(Long.parseLong(args[3]));

        List<String> texts = texts(records, 42);
        long bytes = texts.stream().mapToLong(t -> t.getBytes(StandardCharsets.UTF_8).length).sum();
        Path textsFile = work.resolve("texts.txt");
        Files.write(textsFile, texts);
        String tokenizerOnly = tokenizerOnly(jar, textsFile, work.resolve("models"));

        try (LocalKafka kafka = new LocalKafka(Path.of("kafka-local/target/broker-lib"), work.resolve("kafka"),
                LocalKafka.freePort())) {
            kafka.start();
            TopicAdmin.ensureTopics(Map.of("bootstrap.servers", kafka.bootstrapServers()), (short) 1);
            int port = LocalKafka.freePort();
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                    "-Dai.djl.offline=true", "-Dquarkus.http.port=" + port,
                    "-Dkafka.bootstrap.servers=" + kafka.bootstrapServers(),
                    "-Dpreprocess.data-dir=" + work.resolve("preprocess"), "-Dpreprocess.model=" + MODEL,
                    "-Dpreprocess.max-length=" + MAX_LENGTH,
                    // This benchmark only reads the service's API, so it needs no credential; without this a
                    // service with authentication on and no key configured refuses to start (docs/security.md).
                    "-Dfinetune.auth.enabled=false"));
            // PREPROCESS_OPTS: extra JVM options of the service, e.g. -XX:StartFlightRecording=filename=x.jfr
            String extra = System.getenv().getOrDefault("PREPROCESS_OPTS", "").trim();
            if (!extra.isEmpty()) {
                command.addAll(List.of(extra.split("\\s+")));
            }
            command.addAll(List.of("-jar", jar.toString()));
            Path log = work.resolve("preprocess-service.log");
            Process service = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                    .start();
            try (KafkaProducer<String, String> producer = producer(kafka.bootstrapServers())) {
                String url = "http://127.0.0.1:" + port;
                BenchService.awaitReady("preprocess-service", url, service, log, Duration.ofMinutes(2));
                // Warm-up on a dataset of its own: the JIT, the tokenizer load, the consumer's assignment.
                publish(producer, "warmup", texts(5_000, 7));
                awaitReady(url, "warmup", service, log, limit);

                long start = System.nanoTime();
                publish(producer, "bench", texts);
                double published = (System.nanoTime() - start) / 1e9;
                JsonNode status = awaitReady(url, "bench", service, log, limit);
                double seconds = (System.nanoTime() - start) / 1e9;

                long received = status.get("received").asLong();
                if (received != records) {
                    throw new IllegalStateException("preprocess received " + received + " of " + records);
                }
                String[] baseline = tokenizerOnly.split(" ");
                long recordsPerS = Math.round(records / seconds);
                long baselinePerS = Long.parseLong(baseline[0]);
                long windowedPerS = Long.parseLong(baseline[1]);
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("records_per_s", recordsPerS);
                result.put("mb_per_s", Math.round(bytes / seconds / 1e6 * 10) / 10.0);
                result.put("tokenizer_only_records_per_s", baselinePerS);
                result.put("ratio", Math.round(100.0 * recordsPerS / baselinePerS) / 100.0);
                result.put("tokenizer_only_windowed_records_per_s", windowedPerS);
                result.put("ratio_windowed", Math.round(100.0 * recordsPerS / windowedPerS) / 100.0);
                result.put("records", records);
                result.put("avg_text_bytes", bytes / records);
                result.put("seconds", Math.round(seconds * 100) / 100.0);
                result.put("publish_seconds", Math.round(published * 100) / 100.0);
                result.put("shards", status.path("manifest").path("shards"));
                result.put("tokenizer", MODEL + " (max_length " + baseline[2] + ", batch " + BATCH + ")");
                result.put("cpus", Runtime.getRuntime().availableProcessors());
                System.out.println(Json.write(result));
            } finally {
                service.destroy();
                service.waitFor();
            }
        }
    }

    /** IMDB-shaped reviews: 180-260 words (about 1,300 characters), some with the {@code <br />} IMDB carries. */
    static List<String> texts(int records, long seed) {
        Random random = new Random(seed);
        List<String> texts = new ArrayList<>(records);
        StringBuilder text = new StringBuilder(2048);
        for (int i = 0; i < records; i++) {
            text.setLength(0);
            int words = 180 + random.nextInt(80);
            int br = random.nextInt(4) == 0 ? words / 2 : -1;
            for (int w = 0; w < words; w++) {
                text.append(w == 0 ? "" : w == br ? ".<br /><br />" : " ").append(WORDS[random.nextInt(WORDS.length)]);
            }
            texts.add(text.append('.').toString());
        }
        return texts;
    }

    /** Two labels, balanced by chance; keyed by dataset like ingest-service does; then the END marker. */
    static void publish(KafkaProducer<String, String> producer, String dataset, List<String> texts) throws Exception {
        Random random = new Random(dataset.hashCode());
        for (int i = 0; i < texts.size(); i++) {
            DatasetRecord record = DatasetRecord.record(dataset, String.format("r%07d", i), texts.get(i),
                    random.nextBoolean() ? "positive" : "negative", null);
            producer.send(new ProducerRecord<>(Topics.DATASET_RECORDS, dataset, Json.write(record)));
        }
        producer.send(new ProducerRecord<>(Topics.DATASET_RECORDS, dataset,
                Json.write(DatasetRecord.end(dataset, texts.size(), null, 1)))).get();
    }

    static KafkaProducer<String, String> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024),
                new StringSerializer(), new StringSerializer());
    }

    /** The baseline in a JVM of its own on the service's packaged classpath (DJL is not on the broker's). */
    static String tokenizerOnly(Path jar, Path texts, Path models) throws Exception {
        Path lib = jar.getParent().resolve("lib/main");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dai.djl.offline=true", "-cp", lib + "/*:" + jar.getParent().resolve("app") + "/*",
                "bench/preprocess_tokenizer_only.java",
                texts.toString(), models.toString(), MODEL, Integer.toString(MAX_LENGTH), Integer.toString(BATCH))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            line = out.readLine();
        }
        if (p.waitFor() != 0 || line == null) {
            throw new IllegalStateException("the tokenizer-only baseline failed (exit " + p.exitValue() + ")");
        }
        return line.trim();
    }

    static JsonNode awaitReady(String url, String dataset, Process service, Path log, Duration limit)
            throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            BenchService.checkAlive("preprocess-service", service, log);
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/datasets/" + dataset))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                JsonNode status = Json.MAPPER.readTree(r.body());
                String state = status.get("state").asText();
                if (state.equals("READY")) {
                    return status;
                }
                if (state.equals("FAILED")) {
                    throw new IllegalStateException("dataset " + dataset + " failed: " + r.body());
                }
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("dataset " + dataset + " not READY after " + limit + "; aborted");
    }
}

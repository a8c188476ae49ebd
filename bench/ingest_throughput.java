// Java side of bench/ingest-throughput: run as a single-file source program on kafka-local's classpath (the broker
// lib carries contracts, Jackson and the Kafka client) and bench/lib's classes, compiled by the launcher. Prints one
// JSON line.

import benchlib.BenchHttp;
import benchlib.BenchService;
import io.finetune.contracts.Json;
import io.finetune.contracts.TopicAdmin;
import io.finetune.kafka.local.LocalKafka;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

public class IngestThroughput {
    /** The service runs with authentication on, as deployed: a key of this run, handed over in the environment. */
    static final String API_KEY = java.util.UUID.randomUUID() + "-" + java.util.UUID.randomUUID();
    private static final BenchHttp HTTP = new BenchHttp(API_KEY);
    private static final String[] WORDS = ("the a film movie plot acting actor actress director scene story great "
            + "terrible wonderful boring dull brilliant script character ending music camera performance and of to "
            + "was is it this that with for but not very really quite too much little best worst ever seen watch "
            + "again never loved hated funny sad long short cast role").split(" ");

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        Path jar = Path.of(args[1]).toAbsolutePath();
        int records = Integer.parseInt(args[2]);
        int requests = Integer.parseInt(args[3]);
        int concurrency = Integer.parseInt(args[4]);

        List<byte[]> bodies = bodies(records, requests);
        long bytes = bodies.stream().mapToLong(b -> b.length).sum();
        try (LocalKafka kafka = new LocalKafka(Path.of("kafka-local/target/broker-lib"), work.resolve("kafka"),
                LocalKafka.freePort())) {
            kafka.start();
            TopicAdmin.ensureTopics(Map.of("bootstrap.servers", kafka.bootstrapServers()), (short) 1);
            int port = LocalKafka.freePort();
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                    "-Dquarkus.http.port=" + port, "-Dkafka.bootstrap.servers=" + kafka.bootstrapServers()));
            // INGEST_OPTS: extra JVM options of the service, e.g. to try producer settings or to profile it.
            String extra = System.getenv().getOrDefault("INGEST_OPTS", "").trim();
            if (!extra.isEmpty()) {
                command.addAll(List.of(extra.split("\\s+")));
            }
            command.addAll(List.of("-jar", jar.toString()));
            Path log = work.resolve("ingest-service.log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("FINETUNE_API_KEYS", API_KEY);
            Process service = builder.start();
            try {
                String url = "http://127.0.0.1:" + port;
                BenchService.awaitReady("ingest-service", url, service, log, Duration.ofMinutes(2));
                HTTP.post(url + "/datasets", "application/json",
                        "{\"name\":\"bench\",\"labels\":[\"positive\",\"negative\"]}".getBytes(StandardCharsets.UTF_8),
                        201);
                // Warm-up: the JIT and the producer's connections, on a dataset of its own.
                HTTP.post(url + "/datasets", "application/json",
                        "{\"name\":\"warmup\"}".getBytes(StandardCharsets.UTF_8), 201);
                HTTP.post(url + "/datasets/warmup/records", "application/x-ndjson", bodies(20_000, 1).get(0), 200);

                ExecutorService pool = Executors.newFixedThreadPool(concurrency);
                long start = System.nanoTime();
                List<Future<String>> answers = new ArrayList<>();
                for (byte[] body : bodies) {
                    answers.add(pool.submit(() -> HTTP.post(url + "/datasets/bench/records", "application/x-ndjson",
                            body, 200)));
                }
                for (Future<String> answer : answers) {
                    answer.get();
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                pool.shutdown();
                long accepted = Json.MAPPER.readTree(HTTP.get(url + "/datasets/bench")).get("accepted").asLong();
                if (accepted != records) {
                    throw new IllegalStateException("accepted " + accepted + " of " + records + " records");
                }
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("records_per_s", Math.round(records / seconds));
                result.put("mb_per_s", Math.round(bytes / seconds / 1e6 * 10) / 10.0);
                result.put("records", records);
                result.put("avg_record_bytes", bytes / records);
                result.put("seconds", Math.round(seconds * 100) / 100.0);
                result.put("requests", requests);
                result.put("concurrency", concurrency);
                result.put("cpus", Runtime.getRuntime().availableProcessors());
                System.out.println(Json.write(result));
            } finally {
                service.destroy();
                service.waitFor();
            }
        }
    }

    /** JSON Lines request bodies with distinct IMDB-sized reviews (180-260 words, ~1,300 characters). */
    static List<byte[]> bodies(int records, int requests) {
        Random random = new Random(42);
        List<byte[]> bodies = new ArrayList<>();
        int perRequest = (records + requests - 1) / requests;
        for (int r = 0, left = records; r < requests && left > 0; r++) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            int n = Math.min(perRequest, left);
            left -= n;
            StringBuilder line = new StringBuilder(2048);
            for (int i = 0; i < n; i++) {
                line.setLength(0);
                line.append("{\"text\":\"");
                int words = 180 + random.nextInt(80);
                for (int w = 0; w < words; w++) {
                    line.append(w == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
                }
                line.append(".\",\"label\":\"").append(random.nextBoolean() ? "positive" : "negative").append("\"}\n");
                body.writeBytes(line.toString().getBytes(StandardCharsets.UTF_8));
            }
            bodies.add(body.toByteArray());
        }
        return bodies;
    }
}

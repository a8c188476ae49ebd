// Java side of bench/rest-load: run as a single-file source program on kafka-local's classpath (the broker lib
// carries contracts, Jackson and the Kafka client) and bench/lib's classes, compiled by the launcher. Prints one JSON
// line.

import benchlib.BenchService;
import io.finetune.contracts.Json;
import io.finetune.contracts.TopicAdmin;
import io.finetune.kafka.local.LocalKafka;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * CLIENTS threads, each a REST client of its own, hit the packaged ingest-service for SECONDS: four in five requests
 * append a JSON Lines batch to one of a few datasets, one in five reads a dataset's status. Afterwards every
 * dataset's accepted count must equal what the clients sent, and the service must still be ready.
 */
public class RestLoad {
    static final String API_KEY = java.util.UUID.randomUUID() + "-" + java.util.UUID.randomUUID();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final int DATASETS = 4;
    private static final int RECORDS_PER_REQUEST = 20;

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        Path jar = Path.of(args[1]).toAbsolutePath();
        int clients = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);
        try (LocalKafka kafka = new LocalKafka(Path.of("kafka-local/target/broker-lib"), work.resolve("kafka"),
                LocalKafka.freePort())) {
            kafka.start();
            TopicAdmin.ensureTopics(Map.of("bootstrap.servers", kafka.bootstrapServers()), (short) 1);
            int port = LocalKafka.freePort();
            Path log = work.resolve("ingest-service.log");
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Xmx512m", "-Dquarkus.http.port=" + port,
                    "-Dkafka.bootstrap.servers=" + kafka.bootstrapServers(), "-jar", jar.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("FINETUNE_API_KEYS", API_KEY);
            Process service = builder.start();
            try {
                String url = "http://127.0.0.1:" + port;
                BenchService.awaitReady("ingest-service", url, service, log, Duration.ofMinutes(2));
                for (int d = 0; d < DATASETS; d++) {
                    send(HttpRequest.newBuilder(URI.create(url + "/datasets")).header("Content-Type",
                            "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"name\":\"load-" + d + "\",\"labels\":[\"positive\",\"negative\"]}")), 201);
                }
                Map<String, Object> result = load(url, clients, seconds);
                result.put("ready_after", HTTP.send(HttpRequest.newBuilder(URI.create(url + "/q/health/ready"))
                        .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
                result.put("cpus", Runtime.getRuntime().availableProcessors());
                System.out.println(Json.write(result));
            } finally {
                service.destroy();
                service.waitFor();
            }
        }
    }

    private static Map<String, Object> load(String url, int clients, int seconds) throws Exception {
        AtomicLong requests = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        Map<String, AtomicLong> errorKinds = new ConcurrentHashMap<>();
        long[] sent = new long[DATASETS];
        List<long[]> latencies = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(clients);
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        for (int c = 0; c < clients; c++) {
            int client = c;
            long[] mine = new long[200_000];
            latencies.add(mine);
            Thread thread = new Thread(() -> {
                Random random = new Random(client);
                int n = 0;
                try {
                    while (System.nanoTime() < end && n < mine.length) {
                        int dataset = random.nextInt(DATASETS);
                        boolean append = random.nextInt(5) > 0;
                        long start = System.nanoTime();
                        try {
                            if (append) {
                                send(HttpRequest.newBuilder(URI.create(url + "/datasets/load-" + dataset + "/records"))
                                        .header("Content-Type", "application/x-ndjson")
                                        .POST(HttpRequest.BodyPublishers.ofString(batch(random))), 200);
                                synchronized (sent) {
                                    sent[dataset] += RECORDS_PER_REQUEST;
                                }
                            } else {
                                send(HttpRequest.newBuilder(URI.create(url + "/datasets/load-" + dataset)).GET(), 200);
                            }
                        } catch (Exception e) {
                            errors.incrementAndGet();
                            errorKinds.computeIfAbsent(e.getClass().getSimpleName() + ": " + e.getMessage(),
                                    k -> new AtomicLong()).incrementAndGet();
                        }
                        mine[n++] = System.nanoTime() - start;
                        requests.incrementAndGet();
                    }
                } finally {
                    mine[mine.length - 1] = n; // the count rides in the last slot, which n never reaches
                    done.countDown();
                }
            }, "client-" + c);
            thread.start();
        }
        done.await();
        long[] all = latencies.stream().flatMapToLong(l -> Arrays.stream(l, 0, (int) l[l.length - 1])).sorted()
                .toArray();
        long sentTotal = 0;
        long acceptedTotal = 0;
        for (int d = 0; d < DATASETS; d++) {
            sentTotal += sent[d];
            long accepted = Json.MAPPER.readTree(send(HttpRequest.newBuilder(URI.create(url + "/datasets/load-" + d))
                    .GET(), 200)).get("accepted").asLong();
            acceptedTotal += accepted;
            if (accepted != sent[d]) {
                errorKinds.put("dataset load-" + d + ": accepted " + accepted + ", sent " + sent[d], new AtomicLong(1));
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("clients", clients);
        result.put("seconds", seconds);
        result.put("requests", requests.get());
        result.put("errors", errors.get());
        result.put("requests_per_s", Math.round(requests.get() / (double) seconds));
        result.put("p50_ms", percentile(all, 0.50));
        result.put("p99_ms", percentile(all, 0.99));
        result.put("max_ms", all.length == 0 ? 0 : Math.round(all[all.length - 1] / 1e5) / 10.0);
        result.put("records_sent", sentTotal);
        result.put("records_accepted", acceptedTotal);
        result.put("counts_exact", sentTotal == acceptedTotal);
        if (!errorKinds.isEmpty()) {
            Map<String, Long> kinds = new LinkedHashMap<>();
            errorKinds.forEach((k, v) -> kinds.put(k, v.get()));
            result.put("error_kinds", kinds);
        }
        return result;
    }

    private static double percentile(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : Math.round(sorted[(int) Math.min(sorted.length - 1, p * sorted.length)] / 1e5)
                / 10.0;
    }

    private static String batch(Random random) {
        StringBuilder body = new StringBuilder(RECORDS_PER_REQUEST * 160);
        for (int i = 0; i < RECORDS_PER_REQUEST; i++) {
            boolean positive = random.nextBoolean();
            body.append("{\"text\":\"review ").append(random.nextLong()).append(positive
                    ? " a wonderful film with a brilliant cast and a story I loved from start to end"
                    : " a dull film with a boring plot and acting I could not sit through again")
                    .append("\",\"label\":\"").append(positive ? "positive" : "negative").append("\"}\n");
        }
        return body.toString();
    }

    private static String send(HttpRequest.Builder request, int expected) throws Exception {
        HttpResponse<String> response = HTTP.send(request.header("X-API-Key", API_KEY)
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IllegalStateException("HTTP " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }
}

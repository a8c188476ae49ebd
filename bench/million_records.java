// Java side of bench/million-records: run as a single-file source program on kafka-local's classpath (the broker lib
// carries contracts, Jackson and the Kafka client). A real broker, ingest-service and preprocess-service started here
// with a 512 MB heap each; RECORDS reviews uploaded to ingest as JSON Lines (generated request by request, so the
// bench holds one request body per upload thread, not the data set), sealed, and prepared by preprocess. Heap used
// (the services' /q/metrics) and RSS (/proc) are sampled every second. Fails when a service runs out of memory or
// dies, when a heap exceeds 512 MB, or when the whole run passes LIMIT_MINUTES. Prints one JSON line. bench/lib's
// classes (benchlib) are on the classpath too: the launcher compiles them.

import benchlib.BenchHttp;
import benchlib.BenchService;
import com.fasterxml.jackson.databind.JsonNode;
import io.finetune.contracts.Json;
import io.finetune.contracts.TopicAdmin;
import io.finetune.kafka.local.LocalKafka;

import java.io.ByteArrayOutputStream;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

public class MillionRecords {
    static final long HEAP_LIMIT = 512L * 1024 * 1024;
    /** The services run with authentication on, as deployed: a key of this run, handed over in the environment. */
    static final String API_KEY = java.util.UUID.randomUUID() + "-" + java.util.UUID.randomUUID();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final BenchHttp API = new BenchHttp(API_KEY);
    private static final String[] WORDS = ("the a film movie plot acting actor actress director scene story great "
            + "terrible wonderful boring dull brilliant script character ending music camera performance and of to "
            + "was is it this that with for but not very really quite too much little best worst ever seen watch "
            + "again never loved hated funny sad long short cast role").split(" ");

    /** A packaged service running as a child process, watched by the sampler. */
    static final class Service {
        final String name;
        final Process process;
        final String url;
        final Path log;
        volatile long peakHeap;
        volatile long peakRss;

        Service(String name, Process process, int port, Path log) {
            this.name = name;
            this.process = process;
            this.url = "http://127.0.0.1:" + port;
            this.log = log;
        }

        /** Dead, out of memory or over the heap limit: the run cannot pass. */
        void check() throws Exception {
            String text = Files.exists(log) ? Files.readString(log) : "";
            if (text.contains("OutOfMemoryError")) {
                throw new IllegalStateException(name + " ran out of memory (OutOfMemoryError); see " + log);
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            if (peakHeap > HEAP_LIMIT) {
                throw new IllegalStateException(name + " used " + peakHeap / 1_048_576 + " MB of heap, over 512 MB");
            }
        }

        void sample() {
            try {
                String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/q/metrics"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
                long heap = 0;
                for (String line : metrics.split("\n")) { // one line per heap pool: their sum is the heap used
                    if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                        heap += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    }
                }
                peakHeap = Math.max(peakHeap, heap);
            } catch (Exception e) {
                // busy or gone: check() tells which
            }
            peakRss = Math.max(peakRss, procStatusKb(process.pid(), "VmHWM:") * 1024);
        }
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        Path ingestJar = Path.of(args[1]).toAbsolutePath();
        Path preprocessJar = Path.of(args[2]).toAbsolutePath();
        int records = Integer.parseInt(args[3]);
        int perRequest = Integer.parseInt(args[4]);
        int concurrency = Integer.parseInt(args[5]);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(Long.parseLong(args[6]));

        try (LocalKafka kafka = new LocalKafka(Path.of("kafka-local/target/broker-lib"), work.resolve("kafka"),
                LocalKafka.freePort())) {
            kafka.start();
            TopicAdmin.ensureTopics(Map.of("bootstrap.servers", kafka.bootstrapServers()), (short) 1);
            List<Service> services = new ArrayList<>();
            ScheduledSampler sampler = null;
            try {
                Service ingest = start("ingest-service", ingestJar, kafka, work, List.of());
                services.add(ingest);
                Service preprocess = start("preprocess-service", preprocessJar, kafka, work,
                        List.of("-Dai.djl.offline=true", "-Dpreprocess.data-dir=" + work.resolve("preprocess")));
                services.add(preprocess);
                for (Service s : services) { // at most 3 minutes each, and within LIMIT_MINUTES
                    BenchService.awaitReady(s.name, s.url, s.process, s.log,
                            Duration.ofNanos(Math.min(deadline - System.nanoTime(), Duration.ofMinutes(3).toNanos())));
                }
                sampler = new ScheduledSampler(services);
                API.post(ingest.url + "/datasets", "application/json",
                        "{\"name\":\"million\",\"labels\":[\"positive\",\"negative\"]}"
                                .getBytes(StandardCharsets.UTF_8), 201);

                long start = System.nanoTime();
                long bytes = upload(ingest, records, perRequest, concurrency, deadline, services);
                API.post(ingest.url + "/datasets/million/seal", "application/json",
                        "{}".getBytes(StandardCharsets.UTF_8), 200);
                double ingestSeconds = (System.nanoTime() - start) / 1e9;
                long accepted = Json.MAPPER.readTree(API.get(ingest.url + "/datasets/million")).get("accepted")
                        .asLong();
                if (accepted != records) {
                    throw new IllegalStateException("ingest accepted " + accepted + " of " + records + " records");
                }
                JsonNode ready = awaitPrepared(preprocess, deadline, services);
                double totalSeconds = (System.nanoTime() - start) / 1e9;
                if (ready.get("received").asLong() != records) {
                    throw new IllegalStateException("preprocess received " + ready.get("received") + " of " + records);
                }
                sampler.stop();
                for (Service s : services) {
                    s.sample();
                    s.check();
                }
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("records", records);
                result.put("avg_jsonl_line_bytes", bytes / records);
                result.put("jsonl_gb", Math.round(bytes / 1e7) / 100.0);
                result.put("ingest_records_per_s", Math.round(records / ingestSeconds));
                result.put("ingest_seconds", Math.round(ingestSeconds));
                result.put("preprocess_records_per_s", Math.round(records / totalSeconds));
                result.put("preprocess_done_seconds", Math.round(totalSeconds));
                result.put("preprocess_after_seal_seconds", Math.round(totalSeconds - ingestSeconds));
                result.put("shards", ready.path("manifest").path("shards"));
                for (Service s : services) {
                    String key = s.name.replace("-service", "");
                    result.put(key + "_peak_heap_mb", s.peakHeap / 1_048_576);
                    result.put(key + "_peak_rss_mb", s.peakRss / 1_048_576);
                }
                result.put("xmx_mb", 512);
                result.put("cpus", Runtime.getRuntime().availableProcessors());
                System.out.println(Json.write(result));
            } finally {
                if (sampler != null) {
                    sampler.stop();
                }
                for (Service s : services) {
                    s.process.destroy();
                    s.process.waitFor(30, TimeUnit.SECONDS);
                    s.process.destroyForcibly();
                }
            }
        }
    }

    /** Samples every second on a thread of its own, so a long upload or preparation is watched throughout. */
    static final class ScheduledSampler {
        private final java.util.concurrent.ScheduledExecutorService timer =
                Executors.newSingleThreadScheduledExecutor();

        ScheduledSampler(List<Service> services) {
            timer.scheduleAtFixedRate(() -> services.forEach(Service::sample), 0, 1, TimeUnit.SECONDS);
        }

        void stop() throws InterruptedException {
            timer.shutdown();
            timer.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    static Service start(String name, Path jar, LocalKafka kafka, Path work, List<String> options) throws Exception {
        int port = LocalKafka.freePort();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-XX:+ExitOnOutOfMemoryError", "-Dquarkus.http.port=" + port,
                "-Dkafka.bootstrap.servers=" + kafka.bootstrapServers()));
        command.addAll(options);
        command.addAll(List.of("-jar", jar.toString()));
        Path log = work.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("FINETUNE_API_KEYS", API_KEY);
        Process process = builder.start();
        return new Service(name, process, port, log);
    }

    /** POSTs the records in requests of PER_REQUEST lines, CONCURRENCY at a time; returns the bytes of text sent. */
    static long upload(Service ingest, int records, int perRequest, int concurrency, long deadline,
                       List<Service> services) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            List<Future<Long>> answers = new ArrayList<>();
            for (int from = 0; from < records; from += perRequest) {
                int first = from;
                int n = Math.min(perRequest, records - from);
                answers.add(pool.submit(() -> {
                    byte[] body = body(first, n);
                    API.post(ingest.url + "/datasets/million/records", "application/x-ndjson", body, 200);
                    return (long) body.length;
                }));
            }
            long bytes = 0;
            for (Future<Long> answer : answers) {
                while (true) {
                    try {
                        bytes += answer.get(1, TimeUnit.SECONDS);
                        break;
                    } catch (java.util.concurrent.TimeoutException e) {
                        watch(services, deadline, "uploading");
                    }
                }
            }
            return bytes;
        } finally {
            pool.shutdownNow();
        }
    }

    /** JSON Lines of reviews FIRST..FIRST+N-1: 180-260 words (about 1,300 characters), seeded by position. */
    static byte[] body(int first, int n) {
        Random random = new Random(first);
        ByteArrayOutputStream body = new ByteArrayOutputStream(n * 1400);
        StringBuilder line = new StringBuilder(2048);
        for (int i = 0; i < n; i++) {
            line.setLength(0);
            line.append("{\"id\":\"r").append(first + i).append("\",\"text\":\"");
            int words = 180 + random.nextInt(80);
            for (int w = 0; w < words; w++) {
                line.append(w == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
            }
            line.append(".\",\"label\":\"").append(random.nextBoolean() ? "positive" : "negative").append("\"}\n");
            body.writeBytes(line.toString().getBytes(StandardCharsets.UTF_8));
        }
        return body.toByteArray();
    }

    static JsonNode awaitPrepared(Service preprocess, long deadline, List<Service> services) throws Exception {
        while (true) {
            watch(services, deadline, "preparing");
            // Reads need the key too (docs/security.md); 401s would read as "not prepared yet" until the deadline.
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(preprocess.url
                    + "/datasets/million")).header("X-API-Key", API_KEY).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                JsonNode status = Json.MAPPER.readTree(r.body());
                switch (status.get("state").asText()) {
                    case "READY" -> {
                        return status;
                    }
                    case "FAILED" -> throw new IllegalStateException("preparation failed: " + r.body());
                    default -> { }
                }
            }
            Thread.sleep(1000);
        }
    }

    static void watch(List<Service> services, long deadline, String stage) throws Exception {
        for (Service s : services) {
            s.check();
        }
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("aborted: time limit reached while " + stage
                    + " (raise LIMIT_MINUTES or use fewer RECORDS)");
        }
    }

    static long procStatusKb(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (Exception e) {
            // the process is gone
        }
        return 0;
    }
}

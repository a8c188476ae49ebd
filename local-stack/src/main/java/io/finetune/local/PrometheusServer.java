package io.finetune.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.finetune.contracts.Json;
import io.finetune.kafka.local.LocalKafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server (the distribution's binary) scraping the services' /q/metrics, with the same job and
 * {@code service} labels as monitoring/prometheus/prometheus.yml gives them in compose, so dashboard queries run
 * unchanged against it.
 */
public final class PrometheusServer implements AutoCloseable {
    /** Short, so a check needs seconds rather than minutes of samples. */
    static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(2);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final String url;
    private final Path log;

    private PrometheusServer(Process process, String url, Path log) {
        this.process = process;
        this.url = url;
        this.log = log;
    }

    /** @param targets service name to host:port of each of its processes' HTTP servers */
    public static PrometheusServer start(Path binary, Path dir, Map<String, List<String>> targets) {
        try {
            Files.createDirectories(dir);
            Path config = Files.writeString(dir.resolve("prometheus.yml"), config(targets));
            int port = LocalKafka.freePort();
            Path log = dir.resolve("prometheus.log");
            Process process = new ProcessBuilder(binary.toString(), "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port,
                    "--log.level=warn").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            PrometheusServer server = new PrometheusServer(process, "http://127.0.0.1:" + port, log);
            server.awaitReady(Duration.ofSeconds(60));
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Prometheus " + binary, e);
        }
    }

    static String config(Map<String, List<String>> targets) {
        StringBuilder yaml = new StringBuilder("global:\n  scrape_interval: " + SCRAPE_INTERVAL.toSeconds()
                + "s\n  scrape_timeout: " + SCRAPE_INTERVAL.toSeconds() + "s\nscrape_configs:\n");
        targets.forEach((service, processes) -> yaml.append("  - job_name: ").append(service)
                .append("\n    metrics_path: /q/metrics\n    static_configs:\n      - targets: ['")
                .append(String.join("', '", processes))
                .append("']\n        labels:\n          service: ").append(service).append('\n'));
        return yaml.toString();
    }

    /** Instant query; the result vector (or scalar) as JSON. Fails on a query Prometheus rejects. */
    public JsonNode query(String promQl) {
        String uri = url + "/api/v1/query?query=" + URLEncoder.encode(promQl, StandardCharsets.UTF_8);
        HttpResponse<String> response = get(uri);
        JsonNode body = read(response.body());
        if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            throw new IllegalArgumentException("Prometheus rejected `" + promQl + "`: HTTP " + response.statusCode()
                    + " " + body.path("error").asText(response.body()));
        }
        return body.path("data").path("result");
    }

    /** Number of targets whose last scrape succeeded. */
    public long healthyTargets() {
        JsonNode targets = read(get(url + "/api/v1/targets?state=active").body()).path("data").path("activeTargets");
        long up = 0;
        for (JsonNode target : targets) {
            up += "up".equals(target.path("health").asText()) ? 1 : 0;
        }
        return up;
    }

    public String url() {
        return url;
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Prometheus exited with " + process.exitValue() + "; see " + log);
            }
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(url + "/-/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            sleep(200);
        }
        throw new IllegalStateException("Prometheus not ready after " + timeout.toSeconds() + " s; see " + log);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static HttpResponse<String> get(String uri) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach Prometheus at " + uri, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static JsonNode read(String body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON from Prometheus: " + body, e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}

package io.finetune.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.finetune.contracts.Json;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The services' REST APIs as a user's script calls them, with an API key. Non-2xx answers become exceptions
 * carrying the problem.
 */
public final class PipelineClient {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Function<String, String> urlOf;
    private final String apiKey;

    public PipelineClient(LocalStack stack) {
        this(stack::url, stack.apiKey());
    }

    /**
     * @param urlOf  a service's base URL by its name (ingest-service, ...)
     * @param apiKey the key sent as {@code X-API-Key} on every request, or null to send none
     */
    public PipelineClient(Function<String, String> urlOf, String apiKey) {
        this.urlOf = urlOf;
        this.apiKey = apiKey;
    }

    public record Answer(int status, JsonNode body) {
    }

    public Answer post(String service, String path, String contentType, String body) {
        return send(request(service, path).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    public Answer put(String service, String path, String contentType, String body) {
        return send(request(service, path).header("Content-Type", contentType)
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** POSTs a file as the body (an import), streamed from disk. */
    public Answer postFile(String service, String path, String contentType, java.nio.file.Path file) {
        try {
            return send(request(service, path).header("Content-Type", contentType)
                    .POST(HttpRequest.BodyPublishers.ofFile(file)).build());
        } catch (java.io.FileNotFoundException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** GETs a file (a model archive, a report) into {@code target}; fails with the status and problem otherwise. */
    public void download(String service, String path, java.nio.file.Path target) {
        HttpRequest request = request(service, path).GET().build();
        try {
            HttpResponse<java.nio.file.Path> response = http.send(request, HttpResponse.BodyHandlers.ofFile(target));
            if (response.statusCode() != 200) {
                String problem = java.nio.file.Files.readString(target);
                java.nio.file.Files.deleteIfExists(target);
                throw new IllegalStateException("HTTP " + response.statusCode() + " for " + request.uri() + ": "
                        + problem);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot fetch " + request.uri() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    public Answer get(String service, String path) {
        return send(request(service, path).GET().build());
    }

    public JsonNode require(Answer answer, int... expected) {
        for (int status : expected) {
            if (answer.status() == status) {
                return answer.body();
            }
        }
        throw new IllegalStateException("HTTP " + answer.status() + ": " + answer.body());
    }

    /** Polls a GET until its body satisfies {@code done}; fails with the last body after {@code timeout}. */
    public JsonNode await(String service, String path, Predicate<JsonNode> done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Answer last = null;
        while (System.nanoTime() < deadline) {
            last = get(service, path);
            if (last.status() == 200 && done.test(last.body())) {
                return last.body();
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        throw new IllegalStateException("timed out waiting on " + service + path + "; last answer: "
                + (last == null ? "none" : last.status() + " " + last.body()));
    }

    private HttpRequest.Builder request(String service, String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(urlOf.apply(service) + path));
        return apiKey == null ? request : request.header("X-API-Key", apiKey);
    }

    private Answer send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            String body = response.body();
            return new Answer(response.statusCode(), body == null || body.isBlank() ? null : Json.MAPPER.readTree(body));
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach " + request.uri() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}

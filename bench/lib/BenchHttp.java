package benchlib;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The bench programs' REST calls to a service running with authentication on: every request carries the run's
 * API key in X-API-Key, and an unexpected status fails with the URL and the answer's body.
 */
public final class BenchHttp {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String apiKey;

    public BenchHttp(String apiKey) {
        this.apiKey = apiKey;
    }

    /** POSTs {@code body} as {@code type} and returns the answer's body; a large upload may take minutes. */
    public String post(String url, String type, byte[] body, int expected) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", type)
                .timeout(Duration.ofMinutes(10)).POST(HttpRequest.BodyPublishers.ofByteArray(body)), expected);
    }

    /** GETs {@code url}, expecting 200, and returns the answer's body. */
    public String get(String url) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(1)), 200);
    }

    private String send(HttpRequest.Builder request, int expected) throws Exception {
        HttpResponse<String> response = client.send(request.header("X-API-Key", apiKey).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IllegalStateException(response.uri() + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return response.body();
    }
}

package benchlib;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A packaged Quarkus service that a bench program started as a child process, its output redirected to a log file.
 * Shared by the bench programs (the launchers compile bench/lib onto their classpath), so each one does not carry
 * its own readiness loop; the errors name the service and show the end of its log, which is where the cause is.
 */
public final class BenchService {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final int LOG_TAIL_LINES = 40;

    private BenchService() {
    }

    /**
     * Waits until {@code GET url/q/health/ready} answers 200, polling every 300 ms; fails as soon as the process
     * exits, or after {@code limit}.
     */
    public static void awaitReady(String name, String url, Process process, Path log, Duration limit)
            throws Exception {
        HttpRequest ready = HttpRequest.newBuilder(URI.create(url + "/q/health/ready"))
                .timeout(Duration.ofSeconds(10)).build();
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            checkAlive(name, process, log);
            try {
                if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // still starting
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException(name + " not ready at " + url + "/q/health/ready within " + limit.toSeconds()
                + " s" + logTail(log));
    }

    /** Fails with the process's exit code and the end of its log when it is no longer running. */
    public static void checkAlive(String name, Process process, Path log) {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with code " + process.exitValue() + logTail(log));
        }
    }

    private static String logTail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return "; last lines of " + log + ":\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "; its log " + log + " could not be read: " + e;
        }
    }
}

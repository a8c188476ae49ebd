package io.finetune.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One service of the pipeline run from its packaged {@code quarkus-app}, as its own JVM, logging to a file: either
 * the local run's way (system properties, this process's environment) or exactly as a deployment describes it
 * ({@link #launch}: a given command line and nothing but the given environment).
 */
public final class ServiceProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String name;
    private final Path jar;
    private final int port;
    private final Path workDir;
    private final List<String> command;
    /** Null: the child inherits this process's environment; otherwise exactly these variables. */
    private final Map<String, String> environment;
    private Process process;

    public ServiceProcess(String name, Path repoRoot, int port, Path workDir, Map<String, String> properties) {
        this(name, name, repoRoot, port, workDir, properties);
    }

    /**
     * One replica of a service: {@code instance} names its log and its temporary folder (where the services keep
     * their data by default), so replicas of one service on this machine keep apart.
     */
    public ServiceProcess(String instance, String service, Path repoRoot, int port, Path workDir,
                          Map<String, String> properties) {
        this(instance, jarOf(repoRoot, service), port, workDir, localCommand(jarOf(repoRoot, service), workDir,
                instance, port, properties), null);
    }

    private ServiceProcess(String name, Path jar, int port, Path workDir, List<String> command,
                           Map<String, String> environment) {
        this.name = name;
        this.jar = jar;
        this.port = port;
        this.workDir = workDir;
        this.command = command;
        this.environment = environment;
    }

    /**
     * A service started with exactly this command line (which must run {@code jar}) and environment, nothing
     * inherited: how a container starts it.
     */
    public static ServiceProcess launch(String name, Path jar, int port, Path workDir, List<String> command,
                                        Map<String, String> environment) {
        return new ServiceProcess(name, jar, port, workDir, List.copyOf(command), Map.copyOf(environment));
    }

    public static Path jarOf(Path repoRoot, String service) {
        return repoRoot.resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
    }

    private static List<String> localCommand(Path jar, Path workDir, String name, int port,
                                             Map<String, String> properties) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-XX:+UseSerialGC",
                // Data directories default below java.io.tmpdir: this keeps each run's state in its own folder.
                "-Djava.io.tmpdir=" + workDir.resolve(name + "-tmp"),
                "-Dai.djl.offline=true", "-Dai.djl.default_engine=PyTorch",
                // PyTorch's thread counts come with the properties: LocalStack gives the trainer the cores, the
                // other services one thread each.
                "-Dquarkus.http.port=" + port));
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", jar.toString()));
        return command;
    }

    public String name() {
        return name;
    }

    /** The command line it runs. */
    public List<String> command() {
        return command;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public Path log() {
        return workDir.resolve(name + ".log");
    }

    public ServiceProcess start() {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(name + " is not built: " + jar + " is missing (run ./mvnw package)");
        }
        try {
            Files.createDirectories(workDir.resolve(name + "-tmp"));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
            if (environment != null) {
                builder.environment().clear();
                builder.environment().putAll(environment);
            }
            process = builder.start();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** Waits until /q/health/ready answers 200 (Kafka connected), or fails with the end of the service's log. */
    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log());
            }
            try {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            sleep(300);
        }
        throw new IllegalStateException(name + " not ready after " + timeout.toSeconds() + " s; see " + log());
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public long pid() {
        return process == null ? -1 : process.pid();
    }

    /** Kills the service like a crash would (SIGKILL). */
    public void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitFor(10);
        }
    }

    /** Stops the service cleanly (SIGTERM, Quarkus shuts down gracefully), or kills it after 20 s. */
    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!waitFor(20)) {
                kill();
            }
        }
    }

    private boolean waitFor(int seconds) {
        try {
            return process.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}

package io.finetune.kafka.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A single-node Apache Kafka broker in KRaft mode, run as a child JVM from the jars that the kafka-local module
 * copies to {@code target/broker-lib}. Used by every integration test and by the local run, because this project's
 * machines have no container engine: the broker is the real one, only the way it is started differs.
 *
 * <p>Restartable on the same data directory (the storage is formatted only once), so tests can restart the broker.
 */
public final class LocalKafka implements AutoCloseable {
    /** System property or environment variable naming the broker-lib directory. */
    public static final String LIB_PROPERTY = "local.kafka.lib";

    private final Path libDir;
    private final Path dataDir;
    private final int port;
    private final int controllerPort;
    private Process process;

    public LocalKafka(Path libDir, Path dataDir, int port) {
        this.libDir = libDir;
        this.dataDir = dataDir;
        this.port = port;
        this.controllerPort = freePort();
    }

    /** A broker on a free port, its libraries found through {@link #LIB_PROPERTY}. */
    public static LocalKafka onFreePort(Path dataDir) {
        return new LocalKafka(locateLib(), dataDir, freePort());
    }

    public static Path locateLib() {
        String configured = System.getProperty(LIB_PROPERTY, System.getenv("LOCAL_KAFKA_LIB"));
        Path lib = configured != null ? Path.of(configured) : Path.of("kafka-local", "target", "broker-lib");
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException("Kafka broker jars not found at " + lib.toAbsolutePath()
                    + ": build the kafka-local module first (./mvnw -pl kafka-local package), or set -D"
                    + LIB_PROPERTY);
        }
        return lib;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Starts the broker and waits until it serves; {@link #stop()} from another thread interrupts the wait. */
    public LocalKafka start() {
        Path log = dataDir.resolve("broker.log");
        Process started;
        synchronized (this) {
            if (process != null && process.isAlive()) {
                return this;
            }
            try {
                Files.createDirectories(dataDir);
                Path config = writeConfig();
                if (!Files.exists(dataDir.resolve("logs").resolve("meta.properties"))) {
                    format(config);
                }
                process = new ProcessBuilder(command("kafka.Kafka", config.toString()))
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .start();
                started = process;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start Kafka broker", e);
            }
        }
        try {
            awaitReady(started, log, Duration.ofSeconds(90));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the broker log " + log, e);
        }
        return this;
    }

    /** Stops the broker cleanly (SIGTERM), or kills it after 30 s. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Kills the broker like a crash would (SIGKILL), for failure tests. */
    public synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    @Override
    public void close() {
        stop();
    }

    private Path writeConfig() throws IOException {
        String host = "127.0.0.1";
        String properties = String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@" + host + ":" + controllerPort,
                "listeners=PLAINTEXT://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controllerPort,
                "advertised.listeners=PLAINTEXT://" + host + ":" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dataDir.resolve("logs").toAbsolutePath(),
                "num.partitions=3",
                // One node: internal topics cannot have more than one replica.
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                // Tests start consumers right away; the default 3 s wait before the first rebalance only slows them.
                "group.initial.rebalance.delay.ms=0",
                // Topics are created explicitly with the partitions and retention the design gives them.
                "auto.create.topics.enable=false",
                "");
        Path config = dataDir.resolve("server.properties");
        Files.writeString(config, properties);
        Files.writeString(dataDir.resolve("log4j2.properties"), String.join("\n",
                "rootLogger.level=INFO",
                "rootLogger.appenderRef.out.ref=out",
                "appender.out.type=Console",
                "appender.out.name=out",
                "appender.out.layout.type=PatternLayout",
                "appender.out.layout.pattern=[%d] %p %m (%c)%n",
                // Per-request and per-segment chatter hides what matters in the broker log.
                "logger.kafka.name=kafka",
                "logger.kafka.level=INFO",
                "logger.state.name=state.change.logger",
                "logger.state.level=WARN",
                ""));
        return config;
    }

    private void format(Path config) throws IOException {
        Path log = dataDir.resolve("format.log");
        Process formatter = new ProcessBuilder(command("kafka.tools.StorageTool", "format", "-t", clusterId(), "-c",
                config.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!formatter.waitFor(90, TimeUnit.SECONDS) || formatter.exitValue() != 0) {
                formatter.destroyForcibly();
                throw new IllegalStateException("formatting Kafka storage failed: " + Files.readString(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while formatting Kafka storage", e);
        }
    }

    private List<String> command(String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms128m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dlog4j2.configurationFile=" + dataDir.resolve("log4j2.properties").toAbsolutePath(),
                "-cp", libDir.toAbsolutePath() + "/*", mainClass));
        command.addAll(List.of(args));
        return command;
    }

    private void awaitReady(Process started, Path log, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!started.isAlive()) {
                throw new IllegalStateException("Kafka broker exited with " + started.exitValue() + ":\n" + tail(log));
            }
            if (Files.exists(log) && Files.readString(log).contains("Kafka Server started") && accepts()) {
                return;
            }
            sleep(200);
        }
        stop();
        throw new IllegalStateException("Kafka broker not ready after " + timeout.toSeconds() + " s:\n" + tail(log));
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "(no log)";
        }
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    /** A random KRaft cluster id; never one starting with '-', which StorageTool would read as an option. */
    private static String clusterId() {
        while (true) {
            UUID uuid = UUID.randomUUID();
            ByteBuffer bytes = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                    .putLong(uuid.getLeastSignificantBits());
            String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
            if (!id.startsWith("-")) {
                return id;
            }
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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

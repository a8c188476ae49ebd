package io.finetune.kafka.local;

import io.finetune.contracts.TopicAdmin;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;

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
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A single-node Apache Kafka broker in KRaft mode, run as a child JVM from the jars that the kafka-local module
 * copies to {@code target/broker-lib}. Used by every integration test and by the local run, because this project's
 * machines have no container engine: the broker is the real one, only the way it is started differs.
 *
 * <p>Restartable on the same data directory (the storage is formatted only once), so tests can restart the broker.
 *
 * <p>Plain by default: one PLAINTEXT listener. {@link #secured} makes a broker that only lets authenticated clients
 * in (see {@link Security}): SCRAM over SASL_SSL, mutual TLS, and only if asked a PLAINTEXT listener; its controller
 * listener is mutual TLS too, with the broker's own certificate. With {@link Security.Builder#authorization()} it
 * runs Kafka's StandardAuthorizer and {@link #grant} adds ACLs.
 */
public final class LocalKafka implements AutoCloseable {
    /** System property or environment variable naming the broker-lib directory. */
    public static final String LIB_PROPERTY = "local.kafka.lib";

    private final Path libDir;
    private final Path dataDir;
    private final int port;
    private final int controllerPort;
    private final Security security;
    private final int mtlsPort;
    private final int plaintextPort;
    private TlsMaterial tls;
    private Process process;

    public LocalKafka(Path libDir, Path dataDir, int port) {
        this(libDir, dataDir, port, null);
    }

    /**
     * @param port     the plain listener's port, or with {@code security} the SASL_SSL listener's (the mutual-TLS
     *                 one's when the broker has no SASL_SSL listener)
     * @param security null for a plain broker
     */
    public LocalKafka(Path libDir, Path dataDir, int port, Security security) {
        this.libDir = libDir;
        this.dataDir = dataDir;
        this.port = port;
        this.controllerPort = freePort();
        this.security = security;
        boolean saslSsl = security != null && security.listeners().contains(Security.Listener.SASL_SSL);
        this.mtlsPort = security == null ? -1 : saslSsl ? freePort() : port;
        this.plaintextPort = security != null && security.listeners().contains(Security.Listener.PLAINTEXT)
                ? freePort() : -1;
    }

    /** A broker on a free port, its libraries found through {@link #LIB_PROPERTY}. */
    public static LocalKafka onFreePort(Path dataDir) {
        return new LocalKafka(locateLib(), dataDir, freePort());
    }

    /**
     * A broker on free ports whose clients must log in with SCRAM over SASL_SSL ({@link #bootstrapServers()}) or
     * present a certificate over mutual TLS; {@link #access()} after {@link #start()} has what they need.
     */
    public static LocalKafka secured(Path dataDir, Security security) {
        return new LocalKafka(locateLib(), dataDir, freePort(), security);
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

    /** The plain listener, or on a secured broker the SASL_SSL one (the mutual-TLS one if it has no SASL_SSL). */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Addresses, credentials and TLS material for clients of a secured broker, once started. */
    public synchronized SecureAccess access() {
        if (security == null) {
            throw new IllegalStateException("a plain broker needs no credentials: use bootstrapServers()");
        }
        if (tls == null) {
            throw new IllegalStateException("start the broker first: its certificates are made at start");
        }
        boolean saslSsl = security.listeners().contains(Security.Listener.SASL_SSL);
        return new SecureAccess(saslSsl ? bootstrapServers() : null, "127.0.0.1:" + mtlsPort,
                plaintextPort < 0 ? null : "127.0.0.1:" + plaintextPort, security, tls);
    }

    /**
     * Adds ACLs, as the harness's admin (a super user), and waits until the broker enforces them. Only on a broker
     * whose security has {@link Security.Builder#authorization() authorization}.
     */
    public void grant(Collection<AclBinding> bindings) {
        if (security == null || !security.authorization()) {
            throw new IllegalStateException("this broker has no authorizer: build its Security with authorization()");
        }
        Properties props = new Properties();
        props.putAll(access().adminClient());
        try (Admin admin = Admin.create(props)) {
            admin.createAcls(bindings).all().get(30, TimeUnit.SECONDS);
            // The controller took them; the broker's authorizer applies them from the metadata log a moment later,
            // and DescribeAcls is answered from that authorizer.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (true) {
                Collection<AclBinding> present = admin.describeAcls(AclBindingFilter.ANY).values()
                        .get(30, TimeUnit.SECONDS);
                if (present.containsAll(bindings)) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("ACLs not in force after 30 s");
                }
                sleep(100);
            }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot grant ACLs: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while granting ACLs", e);
        }
    }

    /** Creates the pipeline's topics ({@code contracts}' Topics), as the admin on a secured broker. */
    public LocalKafka ensureTopics() {
        TopicAdmin.ensureTopics(security == null ? Map.of("bootstrap.servers", bootstrapServers())
                : access().adminClient(), (short) 1);
        return this;
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
                if (security != null && tls == null) {
                    tls = TlsMaterial.generate(dataDir.resolve("tls"), security.certificateUsers());
                }
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
                security == null ? plainListeners(host) : securedListeners(host),
                "controller.listener.names=CONTROLLER",
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
                security == null ? "" : securityConfig(),
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

    private String plainListeners(String host) {
        return String.join("\n",
                "listeners=PLAINTEXT://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controllerPort,
                "advertised.listeners=PLAINTEXT://" + host + ":" + port,
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    }

    /**
     * SASL_SSL with SCRAM for logins, SSL with required client certificates for mutual TLS, PLAINTEXT only if asked.
     * Brokers talk to each other over the mutual-TLS listener, and to the controller over a mutual-TLS controller
     * listener, with the broker's own certificate: no listener is plain unless a PLAINTEXT one was asked for.
     */
    private String securedListeners(String host) {
        List<String> listeners = new ArrayList<>();
        if (security.listeners().contains(Security.Listener.SASL_SSL)) {
            listeners.add("SASL_SSL://" + host + ":" + port);
        }
        listeners.add("SSL://" + host + ":" + mtlsPort);
        if (plaintextPort > 0) {
            listeners.add("PLAINTEXT://" + host + ":" + plaintextPort);
        }
        String advertised = String.join(",", listeners);
        return String.join("\n",
                "listeners=" + advertised + ",CONTROLLER://" + host + ":" + controllerPort,
                "advertised.listeners=" + advertised,
                "inter.broker.listener.name=SSL",
                "listener.security.protocol.map=SASL_SSL:SASL_SSL,SSL:SSL,PLAINTEXT:PLAINTEXT,CONTROLLER:SSL",
                "listener.name.controller.ssl.client.auth=required",
                "sasl.enabled.mechanisms=" + Security.SCRAM_MECHANISM,
                // The broker side of SCRAM needs a login module, but no credentials of its own: users come from
                // the cluster metadata, where format() put them.
                "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config="
                        + "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                "listener.name.ssl.ssl.client.auth=required",
                "ssl.keystore.location=" + tls.brokerKeystore().toAbsolutePath(),
                "ssl.keystore.type=" + TlsMaterial.STORE_TYPE,
                "ssl.keystore.password=" + tls.password(),
                "ssl.key.password=" + tls.password(),
                "ssl.truststore.location=" + tls.truststore().toAbsolutePath(),
                "ssl.truststore.type=" + TlsMaterial.STORE_TYPE,
                "ssl.truststore.password=" + tls.password());
    }

    /** The authorizer and its super users, and whatever broker settings the security adds. */
    private String securityConfig() {
        List<String> lines = new ArrayList<>();
        if (security.authorization()) {
            lines.add("authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            lines.add("super.users=" + String.join(";", security.superUsers()));
            lines.add("allow.everyone.if.no.acl.found=false");
        }
        security.brokerConfig().forEach((key, value) -> lines.add(key + "=" + value));
        return String.join("\n", lines);
    }

    private void format(Path config) throws IOException {
        Path log = dataDir.resolve("format.log");
        List<String> args = new ArrayList<>(List.of("format", "-t", clusterId(), "-c", config.toString()));
        if (security != null) {
            args.addAll(security.formatArguments());
        }
        Process formatter = new ProcessBuilder(command("kafka.tools.StorageTool", args.toArray(String[]::new)))
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
        Path tmp = dataDir.resolve("tmp");
        try {
            Files.createDirectories(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + tmp, e);
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms128m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                // The broker's temporary files (snappy's native library, extracted per start) stay with its data, so
                // a killed broker leaves nothing in the system's /tmp.
                "-Djava.io.tmpdir=" + tmp.toAbsolutePath(),
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

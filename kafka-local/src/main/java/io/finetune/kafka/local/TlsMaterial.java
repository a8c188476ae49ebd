package io.finetune.kafka.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Throwaway TLS material for a secured {@link LocalKafka}: a CA, a broker certificate for 127.0.0.1/localhost
 * (subject {@code CN=broker}) and one client certificate per TLS user (subject {@code CN=<user>}, as Strimzi's user
 * operator issues them), all signed by the CA, as PKCS12 key stores, and a trust store holding only the CA. Made with
 * the JDK's {@code keytool} because the JDK has no public API that signs certificates, and a test must not need
 * openssl. All stores share one random password: they live in a test's temporary directory and die with it.
 *
 * @param truststore     the CA certificate, trusted by the broker (for client certificates) and by clients
 * @param brokerKeystore the broker's key and certificate chain
 * @param clientKeystores per TLS user, its key and certificate chain, for mutual TLS
 * @param password        the password of all stores and of their keys
 */
public record TlsMaterial(Path truststore, Path brokerKeystore, Map<String, Path> clientKeystores, String password) {
    public TlsMaterial {
        clientKeystores = Collections.unmodifiableMap(new LinkedHashMap<>(clientKeystores));
    }

    public static final String STORE_TYPE = "PKCS12";
    private static final String VALIDITY_DAYS = "30";

    /** Generates the CA, the broker's and a "client" user's certificate into {@code dir}, replacing what was there. */
    public static TlsMaterial generate(Path dir) {
        return generate(dir, List.of("client"));
    }

    /** Generates the CA, the broker's and each user's certificate into {@code dir}, replacing what was there. */
    public static TlsMaterial generate(Path dir, List<String> users) {
        try {
            Files.createDirectories(dir);
            try (var files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + dir, e);
        }
        Keytool keytool = new Keytool(dir, Secrets.random(24));
        keytool.run("-genkeypair", "-alias", "ca", "-dname", "CN=finetune local test CA", "-ext", "bc:c",
                "-keystore", "ca.p12");
        keytool.run("-exportcert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-file", "ca.pem");
        keytool.run("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", "-keystore", "truststore.p12");
        keytool.signed("broker", "SAN=ip:127.0.0.1,dns:localhost");
        Map<String, Path> clients = new LinkedHashMap<>();
        for (String user : users) {
            keytool.signed(user, null);
            clients.put(user, dir.resolve(user + ".p12"));
        }
        return new TlsMaterial(dir.resolve("truststore.p12"), dir.resolve("broker.p12"), clients, keytool.password);
    }

    /** The first TLS user's key store. */
    public Path clientKeystore() {
        if (clientKeystores.isEmpty()) {
            throw new IllegalStateException("this broker has no TLS users");
        }
        return clientKeystores.values().iterator().next();
    }

    /** A TLS user's key store. */
    public Path clientKeystore(String user) {
        Path store = clientKeystores.get(user);
        if (store == null) {
            throw new IllegalArgumentException("no TLS user " + user + " (known: " + clientKeystores.keySet() + ")");
        }
        return store;
    }

    @Override
    public String toString() {
        return "TlsMaterial[truststore=" + truststore + ", brokerKeystore=" + brokerKeystore + ", clientKeystores="
                + clientKeystores + ", password=(hidden)]";
    }

    /** keytool runs in {@code dir}, on P-256 keys (fast to make) and PKCS12 stores with one password. */
    private record Keytool(Path dir, String password) {
        /** A key pair in {@code name}.p12 whose certificate the CA signed, with the CA before it in the chain. */
        void signed(String name, String subjectAltName) {
            String store = name + ".p12";
            run("-genkeypair", "-alias", name, "-dname", "CN=" + name, "-keystore", store);
            run("-certreq", "-alias", name, "-keystore", store, "-file", name + ".csr");
            List<String> sign = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", "ca", "-keystore", "ca.p12",
                    "-infile", name + ".csr", "-outfile", name + ".pem"));
            if (subjectAltName != null) {
                sign.addAll(List.of("-ext", subjectAltName));
            }
            run(sign.toArray(String[]::new));
            // The CA first, so keytool can build the chain when the signed certificate is imported as the key's reply.
            run("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", "-keystore", store);
            run("-importcert", "-alias", name, "-file", name + ".pem", "-keystore", store);
        }

        void run(String... args) {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                    "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
            command.addAll(List.of(args));
            command.addAll(List.of("-storetype", STORE_TYPE, "-storepass", password));
            if ("-genkeypair".equals(args[0])) {
                command.addAll(List.of("-keyalg", "EC", "-groupname", "secp256r1", "-validity", VALIDITY_DAYS,
                        "-keypass", password));
            } else if ("-gencert".equals(args[0])) {
                command.addAll(List.of("-validity", VALIDITY_DAYS));
            }
            Path log = dir.resolve("keytool.log");
            try {
                Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
                if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                    process.destroyForcibly();
                    // Only the operation is named: the command line holds the store password.
                    throw new IllegalStateException("keytool " + args[0] + " failed in " + dir + ":\n"
                            + Files.readString(log));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot run keytool", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while running keytool", e);
            }
        }
    }
}

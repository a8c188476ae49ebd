package io.finetune.kafka.local;

import java.util.HashMap;
import java.util.Map;

/**
 * What a client needs to reach a secured {@link LocalKafka}, as Kafka client properties: a SCRAM login over
 * SASL_SSL, or a client certificate over mutual TLS, for any of its users, or the harness's admin. Tests build their
 * producers and consumers from these, and {@link SecureLocalKafkaResource} hands the service the same settings as
 * {@code kafka.*} configuration.
 *
 * @param saslSslServers   bootstrap address of the SASL_SSL listener (SCRAM-SHA-512), null when the broker has none
 * @param mtlsServers      bootstrap address of the SSL listener that requires a client certificate
 * @param plaintextServers bootstrap address of the PLAINTEXT listener, null when the broker has none (the default)
 */
public record SecureAccess(String saslSslServers, String mtlsServers, String plaintextServers, Security security,
                           TlsMaterial tls) {
    /** Client properties for the first SCRAM user. */
    public Map<String, Object> scramClient() {
        return scramClient(security.scramUser());
    }

    /** Client properties for a SCRAM user of the broker's {@link Security}. */
    public Map<String, Object> scramClient(String user) {
        return scramClient(user, security.password(user));
    }

    /** Client properties for any SCRAM login, for tests of refused ones. */
    public Map<String, Object> scramClient(String user, String password) {
        if (saslSslServers == null) {
            throw new IllegalStateException("this broker has no SASL_SSL listener");
        }
        Map<String, Object> config = trustingClient(saslSslServers);
        config.put("security.protocol", "SASL_SSL");
        config.put("sasl.mechanism", Security.SCRAM_MECHANISM);
        config.put("sasl.jaas.config", jaasConfig(user, password));
        return config;
    }

    /** Client properties for mutual TLS with the first TLS user's certificate. */
    public Map<String, Object> mtlsClient() {
        return withKeystore(tls.clientKeystore());
    }

    /** Client properties for mutual TLS with a TLS user's certificate (principal {@code User:CN=<user>}). */
    public Map<String, Object> mtlsClient(String user) {
        return withKeystore(tls.clientKeystore(user));
    }

    /** The harness's admin, a super user (over mutual TLS): creates topics, grants ACLs, reads anything. */
    public Map<String, Object> adminClient() {
        return mtlsClient(Security.ADMIN);
    }

    /** Client properties for the mutual-TLS listener that trust the broker but present no certificate. */
    public Map<String, Object> tlsClientWithoutCertificate() {
        Map<String, Object> config = trustingClient(mtlsServers);
        config.put("security.protocol", "SSL");
        return config;
    }

    /** Client properties for the PLAINTEXT listener (principal {@code User:ANONYMOUS}), if the broker has one. */
    public Map<String, Object> plaintextClient() {
        if (plaintextServers == null) {
            throw new IllegalStateException("this broker has no PLAINTEXT listener");
        }
        Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", plaintextServers);
        return config;
    }

    /** {@link #scramClient()} as a Quarkus service reads it: every key under {@code kafka.}. */
    public Map<String, String> serviceConfig() {
        return serviceConfig(scramClient());
    }

    /** Client properties as a Quarkus service reads them: every key under {@code kafka.}. */
    public static Map<String, String> serviceConfig(Map<String, Object> client) {
        Map<String, String> config = new HashMap<>();
        client.forEach((key, value) -> config.put("kafka." + key, value.toString()));
        return config;
    }

    private Map<String, Object> withKeystore(java.nio.file.Path keystore) {
        Map<String, Object> config = tlsClientWithoutCertificate();
        config.put("ssl.keystore.location", keystore.toString());
        config.put("ssl.keystore.type", TlsMaterial.STORE_TYPE);
        config.put("ssl.keystore.password", tls.password());
        return config;
    }

    private Map<String, Object> trustingClient(String servers) {
        Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", servers);
        config.put("ssl.truststore.location", tls.truststore().toString());
        config.put("ssl.truststore.type", TlsMaterial.STORE_TYPE);
        config.put("ssl.truststore.password", tls.password());
        return config;
    }

    private static String jaasConfig(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    @Override
    public String toString() {
        return "SecureAccess[saslSsl=" + saslSslServers + ", mtls=" + mtlsServers + ", plaintext=" + plaintextServers
                + ", " + security + "]";
    }
}

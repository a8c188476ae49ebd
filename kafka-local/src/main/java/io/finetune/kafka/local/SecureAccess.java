package io.finetune.kafka.local;

import java.util.HashMap;
import java.util.Map;

/**
 * What a client needs to reach a secured {@link LocalKafka}, as Kafka client properties: a SCRAM login over
 * SASL_SSL, or a client certificate over mutual TLS. Tests build their producers and consumers from these, and
 * {@link SecureLocalKafkaResource} hands the service the same settings as {@code kafka.*} configuration.
 *
 * @param saslSslServers bootstrap address of the SASL_SSL listener (SCRAM-SHA-512)
 * @param mtlsServers    bootstrap address of the SSL listener that requires a client certificate
 */
public record SecureAccess(String saslSslServers, String mtlsServers, Security security, TlsMaterial tls) {
    /** Client properties for the SCRAM user. */
    public Map<String, Object> scramClient() {
        return scramClient(security.scramUser(), security.scramPassword());
    }

    /** Client properties for any SCRAM login, for tests of refused ones. */
    public Map<String, Object> scramClient(String user, String password) {
        Map<String, Object> config = trustingClient(saslSslServers);
        config.put("security.protocol", "SASL_SSL");
        config.put("sasl.mechanism", Security.SCRAM_MECHANISM);
        config.put("sasl.jaas.config", jaasConfig(user, password));
        return config;
    }

    /** Client properties for mutual TLS with the client certificate the broker's CA signed. */
    public Map<String, Object> mtlsClient() {
        Map<String, Object> config = tlsClientWithoutCertificate();
        config.put("ssl.keystore.location", tls.clientKeystore().toString());
        config.put("ssl.keystore.type", TlsMaterial.STORE_TYPE);
        config.put("ssl.keystore.password", tls.password());
        return config;
    }

    /** Client properties for the mutual-TLS listener that trust the broker but present no certificate. */
    public Map<String, Object> tlsClientWithoutCertificate() {
        Map<String, Object> config = trustingClient(mtlsServers);
        config.put("security.protocol", "SSL");
        return config;
    }

    /** {@link #scramClient()} as a Quarkus service reads it: every key under {@code kafka.}. */
    public Map<String, String> serviceConfig() {
        Map<String, String> config = new HashMap<>();
        scramClient().forEach((key, value) -> config.put("kafka." + key, value.toString()));
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
        return "SecureAccess[saslSsl=" + saslSslServers + ", mtls=" + mtlsServers + ", " + security + "]";
    }
}

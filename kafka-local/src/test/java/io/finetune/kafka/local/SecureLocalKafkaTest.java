package io.finetune.kafka.local;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One secured broker: SCRAM over SASL_SSL and mutual TLS let clients in, everything else is refused. */
class SecureLocalKafkaTest {
    @TempDir
    static Path data;
    private static LocalKafka kafka;
    private static SecureAccess access;

    @BeforeAll
    static void start() {
        kafka = LocalKafka.secured(data, Security.scram("alice")).start();
        access = kafka.access();
    }

    @AfterAll
    static void stop() {
        kafka.stop();
    }

    @Test
    void scramLoginOverSaslSslProducesAndConsumes() throws Exception {
        roundTrip(access.scramClient(), "scram-topic");
    }

    @Test
    void clientCertificateOverMutualTlsProducesAndConsumes() throws Exception {
        roundTrip(access.mtlsClient(), "mtls-topic");
    }

    @Test
    void wrongScramPasswordIsRefused() {
        assertThatThrownBy(() -> listTopics(access.scramClient("alice", "not-the-password")))
                .hasCauseInstanceOf(SaslAuthenticationException.class);
        assertThatThrownBy(() -> listTopics(access.scramClient("mallory", access.security().scramPassword())))
                .hasCauseInstanceOf(SaslAuthenticationException.class);
    }

    @Test
    void tlsClientWithoutCertificateIsRefused() {
        assertThatThrownBy(() -> listTopics(access.tlsClientWithoutCertificate()))
                .hasCauseInstanceOf(SslAuthenticationException.class);
    }

    @Test
    void plaintextClientGetsNothingFromTheSaslSslListener() {
        // The TLS listener cannot parse a plaintext request: the client sees its connection drop until it gives up.
        Map<String, Object> plain = Map.of("bootstrap.servers", access.saslSslServers());
        assertThatThrownBy(() -> listTopics(plain)).hasCauseInstanceOf(TimeoutException.class);
    }

    @Test
    void passwordsStayOutOfToStringAndTheBrokerLog() throws Exception {
        String password = access.security().scramPassword();
        assertThat(access.toString()).doesNotContain(password).doesNotContain(access.tls().password());
        String log = Files.readString(data.resolve("broker.log"));
        assertThat(log).contains("sasl.enabled.mechanisms = [SCRAM-SHA-512]")
                .doesNotContain(password).doesNotContain(access.tls().password());
    }

    private static void roundTrip(Map<String, Object> client, String topic) throws Exception {
        try (Admin admin = Admin.create(properties(client))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        TopicTail.produce(client, topic, List.of("k"), List.of("hello".getBytes(StandardCharsets.UTF_8)));
        try (TopicTail tail = new TopicTail(client, topic)) {
            assertThat(tail.pollUntil(r -> true, Duration.ofSeconds(30))).extracting(TopicTail::text)
                    .containsExactly("hello");
        }
    }

    private static Set<String> listTopics(Map<String, Object> client) throws Exception {
        Properties props = properties(client);
        // Refusals are not retried; these bounds only keep a test of a listener that never answers short.
        props.put("request.timeout.ms", "5000");
        props.put("default.api.timeout.ms", "8000");
        try (Admin admin = Admin.create(props)) {
            return admin.listTopics().names().get(10, TimeUnit.SECONDS);
        }
    }

    private static Properties properties(Map<String, Object> client) {
        Properties props = new Properties();
        props.putAll(client);
        return props;
    }
}

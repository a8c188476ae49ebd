package io.finetune.ingest;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.lang.JoseException;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The part of an OIDC provider a resource server talks to: its JWKS, served on loopback, for a key pair generated
 * per run. The private key reaches the test through config ({@link #SIGNING_KEY}), so the test signs its own tokens.
 */
public class OidcIssuerResource implements QuarkusTestResourceLifecycleManager {
    static final String ISSUER = "https://login.example.test/realms/finetune";
    static final String AUDIENCE = "finetune-api";
    static final String SIGNING_KEY = "auth-it.signing-jwk";

    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            RsaJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
            key.setKeyId("it-key");
            byte[] jwks = new JsonWebKeySet(key).toJson().getBytes(StandardCharsets.UTF_8);
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/protocol/openid-connect/certs", exchange -> {
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, jwks.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(jwks);
                }
            });
            server.start();
            return Map.of("finetune.auth.oidc.jwks-url", "http://127.0.0.1:" + server.getAddress().getPort()
                            + "/protocol/openid-connect/certs",
                    "finetune.auth.oidc.issuer", ISSUER,
                    "finetune.auth.oidc.audience", AUDIENCE,
                    SIGNING_KEY, key.toJson(JsonWebKey.OutputControlLevel.INCLUDE_PRIVATE));
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}

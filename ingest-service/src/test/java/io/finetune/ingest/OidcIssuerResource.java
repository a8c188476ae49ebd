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
 * The part of an OIDC provider a resource server talks to, laid out as a Keycloak realm: its discovery document and
 * its JWKS, served on loopback, for a key pair generated per run. The service is given only the issuer and audience,
 * so it finds the keys by discovery, as in production. The private key reaches the test through config
 * ({@link #SIGNING_KEY}), so the test signs its own tokens.
 */
public class OidcIssuerResource implements QuarkusTestResourceLifecycleManager {
    static final String ISSUER_CONFIG = "finetune.auth.oidc.issuer";
    static final String AUDIENCE = "finetune-api";
    static final String SIGNING_KEY = "auth-it.signing-jwk";
    private static final String REALM = "/realms/finetune";

    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            RsaJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
            key.setKeyId("it-key");
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            String issuer = "http://127.0.0.1:" + server.getAddress().getPort() + REALM;
            String jwksUri = issuer + "/protocol/openid-connect/certs";
            serve(REALM + "/.well-known/openid-configuration",
                    "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + jwksUri + "\"}");
            serve(REALM + "/protocol/openid-connect/certs", new JsonWebKeySet(key).toJson());
            server.start();
            return Map.of(ISSUER_CONFIG, issuer,
                    "finetune.auth.oidc.audience", AUDIENCE,
                    SIGNING_KEY, key.toJson(JsonWebKey.OutputControlLevel.INCLUDE_PRIVATE));
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void serve(String path, String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        server.createContext(path, exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}

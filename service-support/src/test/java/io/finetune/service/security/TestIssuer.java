package io.finetune.service.security;

import com.sun.net.httpserver.HttpServer;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OIDC provider's part a resource server sees: a discovery document and a JWKS served over HTTP on loopback, and
 * tokens it signs.
 */
final class TestIssuer implements AutoCloseable {
    static final String ISSUER = "https://login.example.test/realms/finetune";
    static final String AUDIENCE = "finetune-api";
    private static final String REALM = "/realms/finetune";

    private final RsaJsonWebKey key;
    private final HttpServer server;
    final AtomicInteger jwksFetches = new AtomicInteger();
    final AtomicInteger discoveryFetches = new AtomicInteger();
    /** What the discovery document answers with: 200, or an error status with no body. */
    volatile int discoveryStatus = 200;
    /** The issuer the discovery document names; null names {@link #discoveryIssuer()}, as a real provider does. */
    volatile String advertisedIssuer;

    TestIssuer() throws JoseException, IOException {
        key = newKey("issuer-key");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] jwks = new JsonWebKeySet(key).toJson().getBytes(StandardCharsets.UTF_8);
        server.createContext("/certs", exchange -> {
            jwksFetches.incrementAndGet();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, jwks.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(jwks);
            }
        });
        server.createContext(REALM + DiscoveredJwks.WELL_KNOWN, exchange -> {
            discoveryFetches.incrementAndGet();
            String issuer = advertisedIssuer != null ? advertisedIssuer : discoveryIssuer();
            byte[] document = ("{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + jwksUrl()
                    + "\",\"id_token_signing_alg_values_supported\":[\"RS256\"]}").getBytes(StandardCharsets.UTF_8);
            int status = discoveryStatus;
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, status == 200 ? document.length : -1);
            try (OutputStream out = exchange.getResponseBody()) {
                if (status == 200) {
                    out.write(document);
                }
            }
        });
        server.start();
    }

    /** An issuer on this server, for discovery: its {@code /.well-known/openid-configuration} names the JWKS. */
    String discoveryIssuer() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + REALM;
    }

    static RsaJsonWebKey newKey(String kid) throws JoseException {
        RsaJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
        key.setKeyId(kid);
        return key;
    }

    String jwksUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/certs";
    }

    String jwksJson() {
        return new JsonWebKeySet(key).toJson();
    }

    /** A token valid for ten minutes. */
    String token() throws JoseException {
        return sign(claims(ISSUER, AUDIENCE, 10), key);
    }

    static JwtClaims claims(String issuer, String audience, float expiresInMinutes) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(issuer);
        claims.setAudience(List.of(audience, "account"));
        claims.setSubject("alice");
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(expiresInMinutes);
        return claims;
    }

    String sign(JwtClaims claims) throws JoseException {
        return sign(claims, key);
    }

    static String sign(JwtClaims claims, RsaJsonWebKey key) throws JoseException {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key.getPrivateKey());
        jws.setKeyIdHeaderValue(key.getKeyId());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        return jws.getCompactSerialization();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

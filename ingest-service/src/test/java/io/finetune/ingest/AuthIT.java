package io.finetune.ingest;

import io.finetune.kafka.local.LocalKafkaResource;
import io.finetune.service.security.ApiKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

/**
 * Authentication switched on, as in production: writes need an API key or an OIDC access token (signed by a key
 * pair of this run, whose JWKS the service finds by OIDC discovery on loopback), reads, health and metrics stay open.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
@TestProfile(AuthIT.AuthOn.class)
class AuthIT {
    static final String KEY = "it-key-5b7e0c1d9a4f4e2b8c6d";
    static final String SECOND_KEY = "it-key-of-another-client-31f2";

    public static class AuthOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // The first key only as its hash, as production would configure it.
            return Map.of("%test.finetune.auth.enabled", "true",
                    "finetune.auth.api-keys", ApiKeys.hash(KEY) + "," + SECOND_KEY);
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(OidcIssuerResource.class));
        }
    }

    private static RequestSpecification create(String name) {
        return given().contentType(ContentType.JSON).body("{\"name\":\"" + name + "\",\"labels\":[\"pos\",\"neg\"]}");
    }

    @Test
    void writesWithoutACredentialAre401WithAProblemAndAChallenge() {
        create("anonymous").post("/datasets").then().statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", equalTo("Bearer realm=\"finetune\""))
                .body("status", equalTo(401)).body("detail", containsString("POST /datasets needs a credential"));
        given().get("/datasets/anonymous").then().statusCode(404);
    }

    @Test
    void aWrongKeyIs401WhateverTheHeader() {
        create("wrong-key").header("X-API-Key", KEY + "x").post("/datasets").then().statusCode(401)
                .header("WWW-Authenticate", containsString("error=\"invalid_token\""))
                .body("detail", equalTo("the API key or access token is not accepted"))
                .body(not(containsString(KEY)));
        create("wrong-key").header("X-API-Key", ApiKeys.hash(KEY)).post("/datasets").then().statusCode(401);
        create("wrong-key").header("Authorization", "Bearer " + KEY.substring(1)).post("/datasets").then()
                .statusCode(401);
    }

    @Test
    void eitherKeyInEitherHeaderIsAccepted() {
        create("by-key").header("X-API-Key", KEY).post("/datasets").then().statusCode(201);
        create("by-bearer-key").header("Authorization", "Bearer " + SECOND_KEY).post("/datasets").then()
                .statusCode(201);
        byte[] record = "{\"text\":\"a fine film\",\"label\":\"pos\"}".getBytes(StandardCharsets.UTF_8);
        given().header("X-API-Key", KEY).contentType("application/x-ndjson").body(record)
                .post("/datasets/by-key/records")
                .then().statusCode(200).body("accepted", equalTo(1));
    }

    @Test
    void aValidAccessTokenIsAcceptedExpiredWrongAudienceOrForeignOnesAreNot() throws JoseException {
        RsaJsonWebKey issuer = (RsaJsonWebKey) JsonWebKey.Factory.newJwk(
                ConfigProvider.getConfig().getValue(OidcIssuerResource.SIGNING_KEY, String.class));
        create("by-token").header("Authorization", "Bearer " + sign(claims(OidcIssuerResource.AUDIENCE, 5), issuer))
                .post("/datasets").then().statusCode(201);

        create("expired").header("Authorization", "Bearer " + sign(claims(OidcIssuerResource.AUDIENCE, -5), issuer))
                .post("/datasets").then().statusCode(401).body("detail", equalTo("the access token has expired"));
        create("other-client").header("Authorization", "Bearer " + sign(claims("some-other-api", 5), issuer))
                .post("/datasets").then().statusCode(401);
        JwtClaims otherRealm = claims(OidcIssuerResource.AUDIENCE, 5);
        otherRealm.setIssuer("https://login.example.test/realms/other");
        create("other-realm").header("Authorization", "Bearer " + sign(otherRealm, issuer))
                .post("/datasets").then().statusCode(401);
        RsaJsonWebKey impostor = RsaJwkGenerator.generateJwk(2048);
        impostor.setKeyId(issuer.getKeyId());
        create("impostor").header("Authorization", "Bearer " + sign(claims(OidcIssuerResource.AUDIENCE, 5), impostor))
                .post("/datasets").then().statusCode(401);
        given().get("/datasets/expired").then().statusCode(404);
    }

    @Test
    void readsHealthAndMetricsStayOpen() {
        create("readable").header("X-API-Key", KEY).post("/datasets").then().statusCode(201);
        given().get("/datasets/readable").then().statusCode(200).body("definition.name", equalTo("readable"));
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200).body(containsString("http_server_requests"));
    }

    @Test
    void bodyLimitsApplyToAuthenticatedCallersAndAnonymousOnesGet401First() {
        String big = "{\"name\":\"big\",\"labels\":[\"" + "x".repeat(70_000) + "\"]}";
        given().contentType(ContentType.JSON).body(big).post("/datasets").then().statusCode(401);
        given().header("X-API-Key", KEY).contentType(ContentType.JSON).body(big).post("/datasets").then()
                .statusCode(413).contentType("application/problem+json").body("detail", containsString("65536"));
    }

    private static JwtClaims claims(String audience, float minutes) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(ConfigProvider.getConfig().getValue(OidcIssuerResource.ISSUER_CONFIG, String.class));
        claims.setAudience(audience);
        claims.setSubject("pipeline-bot");
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(minutes);
        return claims;
    }

    private static String sign(JwtClaims claims, RsaJsonWebKey key) throws JoseException {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key.getPrivateKey());
        jws.setKeyIdHeaderValue(key.getKeyId());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        return jws.getCompactSerialization();
    }
}

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
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

/**
 * Authentication switched on, as in production: reads and writes need an API key or an OIDC access token (signed by
 * a key pair of this run, whose JWKS the service finds by OIDC discovery on loopback) with the role they name; a
 * token's role comes from its scope. Health and metrics stay open.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
@TestProfile(AuthIT.AuthOn.class)
class AuthIT {
    static final String KEY = "it-key-5b7e0c1d9a4f4e2b8c6d";
    static final String SECOND_KEY = "it-key-of-another-client-31f2";
    static final String READ_KEY = "it-read-key-of-a-dashboard-8e0a";

    public static class AuthOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // The first key only as its hash, as production would configure it.
            return Map.of("%test.finetune.auth.enabled", "true",
                    "finetune.auth.api-keys", ApiKeys.hash(KEY) + "," + SECOND_KEY + ",read:" + READ_KEY);
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
        given().get("/datasets/anonymous").then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", equalTo("Bearer realm=\"finetune\""));
        given().header("X-API-Key", KEY).get("/datasets/anonymous").then().statusCode(404);
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
    void aReadKeyReadsButMayNotWrite() {
        create("read-only").header("X-API-Key", READ_KEY).post("/datasets").then().statusCode(403)
                .contentType("application/problem+json")
                .body("detail", equalTo("POST /datasets needs the role write, which this credential does not have"));
        byte[] record = "{\"text\":\"a fine film\",\"label\":\"pos\"}".getBytes(StandardCharsets.UTF_8);
        given().header("X-API-Key", READ_KEY).contentType("application/x-ndjson").body(record)
                .post("/datasets/read-only/records").then().statusCode(403);
        given().header("X-API-Key", READ_KEY).contentType(ContentType.JSON).post("/datasets/read-only/seal").then()
                .statusCode(403);
        given().header("X-API-Key", READ_KEY).contentType("application/x-ndjson").body(record)
                .post("/datasets/read-only/import").then().statusCode(403);

        create("for-the-dashboard").header("X-API-Key", KEY).post("/datasets").then().statusCode(201);
        given().header("X-API-Key", READ_KEY).get("/datasets/for-the-dashboard").then().statusCode(200)
                .body("definition.name", equalTo("for-the-dashboard"));
        given().header("Authorization", "Bearer " + READ_KEY).get("/datasets/read-only").then().statusCode(404);
    }

    @Test
    void aTokensScopeDecidesWhatItMayDo() throws JoseException {
        RsaJsonWebKey issuer = issuerKey();
        create("by-reader-token").header("Authorization", "Bearer " + sign(scoped("openid finetune:read"), issuer))
                .post("/datasets").then().statusCode(403);
        create("by-token-without-scope").header("Authorization", "Bearer "
                + sign(claims(OidcIssuerResource.AUDIENCE, 5), issuer)).post("/datasets").then().statusCode(403);
        create("by-writer-token").header("Authorization", "Bearer " + sign(scoped("finetune:write"), issuer))
                .post("/datasets").then().statusCode(201);
        given().header("Authorization", "Bearer " + sign(scoped("finetune:read"), issuer))
                .get("/datasets/by-writer-token").then().statusCode(200);
        given().header("Authorization", "Bearer " + sign(claims(OidcIssuerResource.AUDIENCE, 5), issuer))
                .get("/datasets/by-writer-token").then().statusCode(403);
    }

    @Test
    void aValidAccessTokenIsAcceptedExpiredWrongAudienceOrForeignOnesAreNot() throws JoseException {
        RsaJsonWebKey issuer = issuerKey();
        create("by-token").header("Authorization", "Bearer " + sign(scoped("finetune:write"), issuer))
                .post("/datasets").then().statusCode(201);

        JwtClaims expired = claims(OidcIssuerResource.AUDIENCE, -5);
        expired.setClaim("scope", "finetune:write");
        create("expired").header("Authorization", "Bearer " + sign(expired, issuer))
                .post("/datasets").then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", equalTo("Bearer realm=\"finetune\", error=\"invalid_token\""))
                .body("detail", equalTo("the access token has expired"));
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
        given().header("X-API-Key", KEY).get("/datasets/expired").then().statusCode(404);
    }

    @Test
    void healthMetricsAndOpenApiStayOpen() {
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200).body(containsString("http_server_requests"));
        given().get("/q/openapi").then().statusCode(200).body(containsString("X-API-Key"))
                .body(containsString("bearer"));
    }

    @Test
    void theOpenApiDocumentDeclaresTheConfiguredOidcIssuerAndItsScopes() {
        String issuer = ConfigProvider.getConfig().getValue(OidcIssuerResource.ISSUER_CONFIG, String.class);
        given().accept(ContentType.JSON).get("/q/openapi").then().statusCode(200)
                .body("components.securitySchemes.oidc.type", equalTo("openIdConnect"))
                .body("components.securitySchemes.oidc.openIdConnectUrl",
                        equalTo(issuer + "/.well-known/openid-configuration"))
                .body("paths.'/datasets'.post.security", hasItem(Map.of("oidc", List.of("finetune:write"))))
                .body("paths.'/datasets/{name}'.get.security", hasItem(Map.of("oidc", List.of("finetune:read"))));
    }

    @Test
    void bodyLimitsApplyToAuthenticatedCallersAndAnonymousOnesGet401First() {
        String big = "{\"name\":\"big\",\"labels\":[\"" + "x".repeat(70_000) + "\"]}";
        given().contentType(ContentType.JSON).body(big).post("/datasets").then().statusCode(401);
        given().header("X-API-Key", KEY).contentType(ContentType.JSON).body(big).post("/datasets").then()
                .statusCode(413).contentType("application/problem+json").body("detail", containsString("65536"));
    }

    private static RsaJsonWebKey issuerKey() throws JoseException {
        return (RsaJsonWebKey) JsonWebKey.Factory.newJwk(
                ConfigProvider.getConfig().getValue(OidcIssuerResource.SIGNING_KEY, String.class));
    }

    private static JwtClaims scoped(String scope) {
        JwtClaims claims = claims(OidcIssuerResource.AUDIENCE, 5);
        claims.setClaim("scope", scope);
        return claims;
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

package io.finetune.service.security;

import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Tokens signed here, checked against the JWKS a loopback HTTP server publishes, as an OIDC provider would. */
class OidcTokensTest {
    private static TestIssuer issuer;
    private static OidcTokens tokens;

    @BeforeAll
    static void start() throws Exception {
        issuer = new TestIssuer();
        tokens = OidcTokens.from(Settings.Oidc.url(issuer.jwksUrl())).orElseThrow();
    }

    @AfterAll
    static void stop() {
        issuer.close();
    }

    @Test
    void aValidTokenIsAcceptedAndTheKeysAreCached() throws JoseException {
        assertThat(tokens.verify(issuer.token())).extracting(Checked::verdict).isEqualTo(Verdict.ACCEPTED);
        int fetches = issuer.jwksFetches.get();
        assertThat(tokens.verify(issuer.token())).extracting(Checked::verdict).isEqualTo(Verdict.ACCEPTED);
        assertThat(issuer.jwksFetches.get()).as("no request to the provider per token").isEqualTo(fetches);
    }

    @Test
    void anExpiredTokenIsExpired() throws JoseException {
        assertThat(tokens.verify(issuer.sign(TestIssuer.claims(TestIssuer.ISSUER, TestIssuer.AUDIENCE, -1))))
                .extracting(Checked::verdict).isEqualTo(Verdict.EXPIRED);
    }

    @Test
    void wrongIssuerAudienceOrNoExpiryIsRefused() throws JoseException {
        assertThat(tokens.verify(issuer.sign(TestIssuer.claims("https://elsewhere.test", TestIssuer.AUDIENCE, 10))))
                .extracting(Checked::verdict).isEqualTo(Verdict.REFUSED);
        assertThat(tokens.verify(issuer.sign(TestIssuer.claims(TestIssuer.ISSUER, "another-client", 10))))
                .extracting(Checked::verdict).isEqualTo(Verdict.REFUSED);
        JwtClaims forever = TestIssuer.claims(TestIssuer.ISSUER, TestIssuer.AUDIENCE, 10);
        forever.unsetClaim("exp");
        assertThat(tokens.verify(issuer.sign(forever))).extracting(Checked::verdict).isEqualTo(Verdict.REFUSED);
    }

    @Test
    void aTokenSignedByAnotherKeyIsRefusedEvenUnderTheIssuersKeyId() throws JoseException {
        JwtClaims claims = TestIssuer.claims(TestIssuer.ISSUER, TestIssuer.AUDIENCE, 10);
        assertThat(tokens.verify(TestIssuer.sign(claims, TestIssuer.newKey("issuer-key")))).extracting(Checked::verdict).isEqualTo(Verdict.REFUSED);
        assertThat(tokens.verify(TestIssuer.sign(claims, TestIssuer.newKey("unknown-key")))).extracting(Checked::verdict).isEqualTo(Verdict.REFUSED);
    }

    @Test
    void aTamperedTokenIsRefused() throws JoseException {
        String[] parts = issuer.token().split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1])).replace("alice", "admin");
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes())
                + "." + parts[2];
        assertThat(tokens.verify(tampered)).extracting(Checked::verdict).isEqualTo(Verdict.REFUSED);
        assertThat(tokens.verify(parts[0] + "." + parts[1] + ".")).as("signature stripped").extracting(Checked::verdict).isEqualTo(Verdict.REFUSED);
        assertThat(tokens.verify("not-a-token")).extracting(Checked::verdict).isEqualTo(Verdict.REFUSED);
    }

    @Test
    void anUnsignedTokenIsRefused() throws JoseException {
        String header = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes());
        String body = Base64.getUrlEncoder().withoutPadding().encodeToString(
                TestIssuer.claims(TestIssuer.ISSUER, TestIssuer.AUDIENCE, 10).toJson().getBytes());
        assertThat(tokens.verify(header + "." + body + ".")).extracting(Checked::verdict).isEqualTo(Verdict.REFUSED);
    }

    @Test
    void aJwksFileWorksLikeTheUrl(@TempDir Path dir) throws IOException, JoseException {
        Path file = Files.writeString(dir.resolve("jwks.json"), issuer.jwksJson());
        OidcTokens fromFile = OidcTokens.from(Settings.Oidc.file(file)).orElseThrow();
        assertThat(fromFile.verify(issuer.token())).extracting(Checked::verdict).isEqualTo(Verdict.ACCEPTED);
        assertThat(fromFile.verify(TestIssuer.sign(TestIssuer.claims(TestIssuer.ISSUER, TestIssuer.AUDIENCE, 10),
                TestIssuer.newKey("issuer-key")))).extracting(Checked::verdict).isEqualTo(Verdict.REFUSED);
    }

    @Test
    void aJwksWithoutIssuerOrAudienceIsAConfigurationError() {
        Settings.Oidc valid = Settings.Oidc.url(issuer.jwksUrl());
        assertThatThrownBy(() -> OidcTokens.from(new Settings.Oidc(valid.jwksUrl(), Optional.empty(),
                Optional.empty(), valid.audience(), 0, Settings.ALGORITHMS))).hasMessageContaining("issuer");
        assertThatThrownBy(() -> OidcTokens.from(new Settings.Oidc(valid.jwksUrl(), Optional.empty(),
                valid.issuer(), Optional.of(List.of()), 0, Settings.ALGORITHMS))).hasMessageContaining("audience");
        assertThat(OidcTokens.from(Settings.Oidc.NONE)).isEmpty();
    }

    @Test
    void theRoleComesFromTheScopeOrARolesClaimWriteImplyingRead() throws JoseException {
        assertThat(tokens.verify(issuer.token()).role()).as("valid, but no finetune scope").isEmpty();
        assertThat(tokens.verify(withClaim("scope", "openid finetune:read")).role()).contains(Role.READ);
        assertThat(tokens.verify(withClaim("scope", "finetune:read  finetune:write")).role()).contains(Role.WRITE);
        assertThat(tokens.verify(withClaim("scp", List.of("finetune:write"))).role()).contains(Role.WRITE);
        assertThat(tokens.verify(withClaim("roles", List.of("other", "finetune:read"))).role()).contains(Role.READ);
        assertThat(tokens.verify(withClaim("scope", "finetune:readers finetune:writer")).role())
                .as("whole values only").isEmpty();
        assertThat(tokens.verify(withClaim("groups", List.of("finetune:write"))).role())
                .as("a claim that is not configured").isEmpty();
        assertThat(tokens.verify(withClaim("scope", "finetune:write")).principal()).isEqualTo("alice");
    }

    @Test
    void claimNamesAndValuesAreConfigurableAndASlashWalksIntoAnObject() throws JoseException {
        OidcTokens keycloak = OidcTokens.from(Settings.Oidc.url(issuer.jwksUrl())
                .withRoles(List.of("realm_access/roles"), "ml-reader", "ml-trainer")).orElseThrow();
        assertThat(keycloak.verify(withClaim("realm_access", java.util.Map.of("roles", List.of("ml-reader"))))
                .role()).contains(Role.READ);
        assertThat(keycloak.verify(withClaim("realm_access", java.util.Map.of("roles", List.of("ml-trainer"))))
                .role()).contains(Role.WRITE);
        assertThat(keycloak.verify(withClaim("scope", "finetune:write")).role())
                .as("the default names no longer count").isEmpty();
    }

    private static String withClaim(String name, Object value) throws JoseException {
        JwtClaims claims = TestIssuer.claims(TestIssuer.ISSUER, TestIssuer.AUDIENCE, 10);
        claims.setClaim(name, value);
        return issuer.sign(claims);
    }
}

package io.finetune.service.security;

import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuthenticatorTest {
    private static final String KEY = "0123456789abcdef0123456789abcdef";
    private static final String READ_KEY = "read-only-0123456789abcdef";

    @Test
    void onWithoutAnyCredentialSourceRefusesToStartAndSaysWhatToSet() {
        assertThatThrownBy(() -> new Authenticator(new Settings(true, Optional.empty(), Settings.Oidc.NONE)))
                .hasMessageContaining("FINETUNE_API_KEYS").hasMessageContaining("read: or write:")
                .hasMessageContaining("finetune.auth.oidc.jwks-url")
                .hasMessageContaining("finetune.auth.enabled=false");
    }

    @Test
    void offExplicitlyStartsWithoutCredentials() {
        Authenticator off = new Authenticator(new Settings(false, Optional.empty(), Settings.Oidc.NONE));
        assertThat(off.enabled()).isFalse();
        assertThat(new Authenticator(Settings.keys(KEY)).enabled()).isTrue();
    }

    @Test
    void anApiKeyIsTakenFromEitherHeaderWithItsRole() {
        Authenticator auth = new Authenticator(Settings.keys(ApiKeys.hash(KEY), "read:" + READ_KEY));
        assertThat(auth.check(KEY, null)).isEqualTo(Checked.accepted("api-key", Optional.of(Role.WRITE)));
        assertThat(auth.check(null, "Bearer " + KEY).role()).contains(Role.WRITE);
        assertThat(auth.check(null, "bearer " + KEY).verdict()).isEqualTo(Verdict.ACCEPTED);
        assertThat(auth.check(READ_KEY, null).role()).contains(Role.READ);
        assertThat(auth.check(null, "Bearer " + READ_KEY).role()).contains(Role.READ);
        assertThat(auth.check(null, null)).isEqualTo(Checked.MISSING);
        assertThat(auth.check(null, "  ")).isEqualTo(Checked.MISSING);
        assertThat(auth.check(KEY + "0", null)).isEqualTo(Checked.REFUSED);
        assertThat(auth.check("read:" + READ_KEY, null)).as("the role prefix is configuration, not key")
                .isEqualTo(Checked.REFUSED);
        assertThat(auth.check(null, "Bearer wrong-key-wrong-key")).isEqualTo(Checked.REFUSED);
        assertThat(auth.check(null, "Basic " + KEY)).isEqualTo(Checked.REFUSED);
    }

    @Test
    void keysAndTokensWorkSideBySide() throws JoseException, IOException {
        try (TestIssuer issuer = new TestIssuer()) {
            Authenticator auth = new Authenticator(Settings.keys(KEY).withOidc(Settings.Oidc.url(issuer.jwksUrl())));
            JwtClaims writer = TestIssuer.claims(TestIssuer.ISSUER, TestIssuer.AUDIENCE, 10);
            writer.setClaim("scope", "openid finetune:write");
            assertThat(auth.check(null, "Bearer " + issuer.sign(writer)))
                    .isEqualTo(Checked.accepted("alice", Optional.of(Role.WRITE)));
            assertThat(auth.check(null, "Bearer " + KEY).verdict()).isEqualTo(Verdict.ACCEPTED);
            assertThat(auth.check(issuer.token(), null)).as("X-API-Key takes keys, not tokens")
                    .isEqualTo(Checked.REFUSED);
        }
    }

    @Test
    void aValidTokenWithoutAFinetuneScopeAuthenticatesWithNoRole() throws JoseException, IOException {
        try (TestIssuer issuer = new TestIssuer()) {
            Authenticator auth = new Authenticator(new Settings(true, Optional.empty(),
                    Settings.Oidc.url(issuer.jwksUrl())));
            assertThat(auth.check(null, "Bearer " + KEY)).isEqualTo(Checked.REFUSED);
            assertThat(auth.check(null, "Bearer " + issuer.token()))
                    .isEqualTo(Checked.accepted("alice", Optional.empty()));
        }
    }

    @Test
    void anAcceptedCredentialBecomesAnIdentityWhoseRolesIncludeWhatItsRoleImplies() {
        assertThat(CredentialIdentityProvider.identity(Checked.accepted("api-key", Optional.of(Role.WRITE)))
                .getRoles()).containsExactlyInAnyOrder(Roles.READ, Roles.WRITE);
        assertThat(CredentialIdentityProvider.identity(Checked.accepted("api-key", Optional.of(Role.READ)))
                .getRoles()).containsExactly(Roles.READ);
        assertThat(CredentialIdentityProvider.identity(Checked.accepted("bob", Optional.empty())).getRoles())
                .isEmpty();
        assertThatThrownBy(() -> CredentialIdentityProvider.identity(Checked.EXPIRED))
                .hasMessage("the access token has expired");
        assertThatThrownBy(() -> CredentialIdentityProvider.identity(Checked.REFUSED))
                .hasMessage("the API key or access token is not accepted");
        assertThat(List.of(Role.READ.grants(), Role.WRITE.grants())).allMatch(g -> g.contains(Roles.READ));
    }
}

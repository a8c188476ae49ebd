package io.finetune.service.security;

import org.jose4j.lang.JoseException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuthenticatorTest {
    private static final String KEY = "0123456789abcdef0123456789abcdef";

    @Test
    void onWithoutAnyCredentialSourceRefusesToStartAndSaysWhatToSet() {
        assertThatThrownBy(() -> new Authenticator(new Settings(true, false, Optional.empty(), Settings.Oidc.NONE)))
                .hasMessageContaining("FINETUNE_API_KEYS").hasMessageContaining("finetune.auth.oidc.jwks-url")
                .hasMessageContaining("finetune.auth.enabled=false");
    }

    @Test
    void offExplicitlyGuardsNothing() {
        Authenticator off = new Authenticator(new Settings(false, true, Optional.empty(), Settings.Oidc.NONE));
        assertThat(off.guards("POST")).isFalse();
        assertThat(off.guards("GET")).isFalse();
    }

    @Test
    void writesAreGuardedReadsOnlyWhenAskedTo() {
        Authenticator writes = new Authenticator(Settings.keys(KEY));
        assertThat(List.of("POST", "PUT", "PATCH", "DELETE")).allMatch(writes::guards);
        assertThat(List.of("GET", "HEAD", "OPTIONS")).noneMatch(writes::guards);

        Authenticator all = new Authenticator(new Settings(true, true, Optional.of(List.of(KEY)), Settings.Oidc.NONE));
        assertThat(List.of("GET", "HEAD", "POST")).allMatch(all::guards);
    }

    @Test
    void anApiKeyIsTakenFromEitherHeader() {
        Authenticator auth = new Authenticator(Settings.keys(ApiKeys.hash(KEY)));
        assertThat(auth.check(KEY, null)).isEqualTo(Verdict.ACCEPTED);
        assertThat(auth.check(null, "Bearer " + KEY)).isEqualTo(Verdict.ACCEPTED);
        assertThat(auth.check(null, "bearer " + KEY)).isEqualTo(Verdict.ACCEPTED);
        assertThat(auth.check(null, null)).isEqualTo(Verdict.MISSING);
        assertThat(auth.check(KEY + "0", null)).isEqualTo(Verdict.REFUSED);
        assertThat(auth.check(null, "Bearer wrong-key-wrong-key")).isEqualTo(Verdict.REFUSED);
        assertThat(auth.check(null, "Basic " + KEY)).isEqualTo(Verdict.REFUSED);
    }

    @Test
    void keysAndTokensWorkSideBySide() throws JoseException, IOException {
        try (TestIssuer issuer = new TestIssuer()) {
            Authenticator auth = new Authenticator(Settings.keys(KEY).withOidc(Settings.Oidc.url(issuer.jwksUrl())));
            assertThat(auth.check(null, "Bearer " + issuer.token())).isEqualTo(Verdict.ACCEPTED);
            assertThat(auth.check(null, "Bearer " + KEY)).isEqualTo(Verdict.ACCEPTED);
            assertThat(auth.check(issuer.token(), null)).as("X-API-Key takes keys, not tokens")
                    .isEqualTo(Verdict.REFUSED);
        }
    }

    @Test
    void oidcAloneIsEnoughToStart() throws JoseException, IOException {
        try (TestIssuer issuer = new TestIssuer()) {
            Authenticator auth = new Authenticator(new Settings(true, false, Optional.empty(),
                    Settings.Oidc.url(issuer.jwksUrl())));
            assertThat(auth.check(null, "Bearer " + KEY)).isEqualTo(Verdict.REFUSED);
            assertThat(auth.check(null, "Bearer " + issuer.token())).isEqualTo(Verdict.ACCEPTED);
        }
    }
}

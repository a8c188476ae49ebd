package io.finetune.service.security;

import org.jose4j.lang.JoseException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Only the issuer configured: the keys are found through the provider's discovery document, served on loopback. */
class OidcDiscoveryTest {
    private static final Duration RETRY = Duration.ofSeconds(10);

    private TestIssuer provider;
    private final SettableClock clock = new SettableClock();

    @BeforeEach
    void start() throws Exception {
        provider = new TestIssuer();
    }

    @AfterEach
    void stop() {
        provider.close();
    }

    private OidcTokens tokens() {
        return OidcTokens.from(Settings.Oidc.discovery(provider.discoveryIssuer()), RETRY, clock).orElseThrow();
    }

    private String token() throws JoseException {
        return provider.sign(TestIssuer.claims(provider.discoveryIssuer(), TestIssuer.AUDIENCE, 10));
    }

    @Test
    void theKeysAreDiscoveredWhenTheFirstTokenArrivesAndThenKept() throws JoseException {
        OidcTokens tokens = tokens();
        assertThat(provider.discoveryFetches).as("nothing fetched at start-up").hasValue(0);
        assertThat(tokens.verify(token())).extracting(Checked::verdict).isEqualTo(Verdict.ACCEPTED);
        assertThat(tokens.verify(token())).extracting(Checked::verdict).isEqualTo(Verdict.ACCEPTED);
        assertThat(provider.discoveryFetches).hasValue(1);
        assertThat(provider.jwksFetches).hasValue(1);
        // the discovered keys are checked like configured ones
        assertThat(tokens.verify(TestIssuer.sign(TestIssuer.claims(provider.discoveryIssuer(), TestIssuer.AUDIENCE,
                10), TestIssuer.newKey("issuer-key")))).extracting(Checked::verdict).isEqualTo(Verdict.REFUSED);
        assertThat(tokens.verify(provider.sign(TestIssuer.claims(provider.discoveryIssuer(), "another-client", 10))))
                .extracting(Checked::verdict).isEqualTo(Verdict.REFUSED);
    }

    @Test
    void anUnreachableProviderIsAskedAgainOnlyAfterAPause() throws JoseException {
        OidcTokens tokens = tokens();
        provider.discoveryStatus = 503;
        assertThat(tokens.verify(token())).extracting(Checked::verdict).isEqualTo(Verdict.REFUSED);
        assertThat(provider.discoveryFetches).as("one request: no retries that would hold the caller").hasValue(1);
        assertThat(tokens.verify(token())).extracting(Checked::verdict).isEqualTo(Verdict.REFUSED);
        assertThat(provider.discoveryFetches).as("not asked once per request").hasValue(1);

        provider.discoveryStatus = 200;
        clock.advance(RETRY.minusSeconds(1));
        assertThat(tokens.verify(token())).extracting(Checked::verdict).isEqualTo(Verdict.REFUSED);
        assertThat(provider.discoveryFetches).hasValue(1);
        clock.advance(Duration.ofSeconds(1));
        assertThat(tokens.verify(token())).extracting(Checked::verdict).isEqualTo(Verdict.ACCEPTED);
        assertThat(provider.discoveryFetches).hasValue(2);
    }

    @Test
    void aDiscoveryDocumentForAnotherIssuerIsNotTrusted() throws JoseException {
        provider.advertisedIssuer = "https://login.example.test/realms/other";
        assertThat(tokens().verify(token())).extracting(Checked::verdict).isEqualTo(Verdict.REFUSED);
        assertThat(provider.jwksFetches).as("its keys are never fetched").hasValue(0);
    }

    @Test
    void anIssuerWithoutAudienceIsAConfigurationError() {
        assertThatThrownBy(() -> OidcTokens.from(new Settings.Oidc(Optional.empty(), Optional.empty(),
                Optional.of(provider.discoveryIssuer()), Optional.of(List.of()), 0, Settings.ALGORITHMS)))
                .hasMessageContaining("audience");
    }

    /** A clock the test moves, so the retry pause needs no sleeping. */
    private static final class SettableClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}

package io.finetune.service.security;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Optional;

/**
 * Decides whether the credential a request carries is accepted, and with which role: an API key, or an OIDC access
 * token. {@link CredentialMechanism} asks it for every REST request; {@code @RolesAllowed} on each resource method
 * then decides. Built at start-up so that a service with authentication on and nothing to check credentials against
 * refuses to start (fail closed) instead of accepting everyone or no one.
 */
@Startup
@ApplicationScoped
public class Authenticator {
    public static final String API_KEY_HEADER = "X-API-Key";
    private static final Logger LOG = Logger.getLogger(Authenticator.class);
    private static final String BEARER = "Bearer ";
    private static final String API_KEY = "api-key";

    private final boolean enabled;
    private final ApiKeys keys;
    private final Optional<OidcTokens> tokens;

    public Authenticator(AuthConfig config) {
        this.enabled = config.enabled();
        this.keys = ApiKeys.parse(config.apiKeys().orElse(List.of()));
        this.tokens = OidcTokens.from(config.oidc());
        if (!enabled) {
            LOG.warn("authentication is off (finetune.auth.enabled=false): anyone who reaches this service can "
                    + "read datasets, reports and model weights, write data and start jobs");
        } else if (keys.isEmpty() && tokens.isEmpty()) {
            throw new IllegalStateException("authentication is on but no credential is configured: set "
                    + "FINETUNE_API_KEYS (comma-separated API keys or sha256:<hex> of each, each optionally prefixed "
                    + "read: or write:) and/or an OIDC provider "
                    + "(finetune.auth.oidc.issuer and audience, whose keys are found by OIDC discovery unless "
                    + "finetune.auth.oidc.jwks-url or jwks-file names them; env FINETUNE_AUTH_OIDC_ISSUER, "
                    + "FINETUNE_AUTH_OIDC_AUDIENCE, FINETUNE_AUTH_OIDC_JWKS_URL), or "
                    + "switch authentication off explicitly with finetune.auth.enabled=false (docs/security.md)");
        }
    }

    /** Whether requests need a credential at all; off only when switched off explicitly. */
    public boolean enabled() {
        return enabled;
    }

    /**
     * Checks the credential of a request: {@code X-API-Key}, or {@code Authorization: Bearer} carrying an API key or
     * an access token.
     */
    public Checked check(String apiKeyHeader, String authorization) {
        if (apiKeyHeader != null) {
            return key(apiKeyHeader.trim());
        }
        if (authorization == null || authorization.isBlank()) {
            return Checked.MISSING;
        }
        if (!authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Checked.REFUSED;
        }
        String credential = authorization.substring(BEARER.length()).trim();
        Checked asKey = key(credential);
        if (asKey.verdict() == Verdict.ACCEPTED) {
            return asKey;
        }
        return tokens.map(t -> t.verify(credential)).orElse(Checked.REFUSED);
    }

    private Checked key(String presented) {
        return keys.match(presented).map(role -> Checked.accepted(API_KEY, Optional.of(role))).orElse(Checked.REFUSED);
    }
}

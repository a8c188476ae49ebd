package io.finetune.service.security;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether a request needs a credential and whether the one it carries is accepted: an API key, or an OIDC
 * access token. Built at start-up so that a service with authentication on and nothing to check credentials
 * against refuses to start (fail closed) instead of accepting everyone or no one.
 */
@Startup
@ApplicationScoped
public class Authenticator {
    public static final String API_KEY_HEADER = "X-API-Key";
    private static final Logger LOG = Logger.getLogger(Authenticator.class);
    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");
    private static final String BEARER = "Bearer ";

    private final boolean enabled;
    private final boolean protectReads;
    private final ApiKeys keys;
    private final Optional<OidcTokens> tokens;

    public Authenticator(AuthConfig config) {
        this.enabled = config.enabled();
        this.protectReads = config.protectReads();
        this.keys = ApiKeys.parse(config.apiKeys().orElse(List.of()));
        this.tokens = OidcTokens.from(config.oidc());
        if (!enabled) {
            LOG.warn("authentication is off (finetune.auth.enabled=false): anyone who reaches this service can "
                    + "write data and start jobs");
        } else if (keys.isEmpty() && tokens.isEmpty()) {
            throw new IllegalStateException("authentication is on but no credential is configured: set "
                    + "FINETUNE_API_KEYS (comma-separated API keys or sha256:<hex> of each) and/or an OIDC provider "
                    + "(finetune.auth.oidc.issuer and audience, whose keys are found by OIDC discovery unless "
                    + "finetune.auth.oidc.jwks-url or jwks-file names them; env FINETUNE_AUTH_OIDC_ISSUER, "
                    + "FINETUNE_AUTH_OIDC_AUDIENCE, FINETUNE_AUTH_OIDC_JWKS_URL), or "
                    + "switch authentication off explicitly with finetune.auth.enabled=false (docs/security.md)");
        }
    }

    /** Whether a request with this HTTP method must carry a credential. */
    public boolean guards(String method) {
        return enabled && (protectReads || !READS.contains(method));
    }

    /**
     * Checks the credential of a request: {@code X-API-Key}, or {@code Authorization: Bearer} carrying an API key or
     * an access token.
     */
    public Verdict check(String apiKeyHeader, String authorization) {
        if (apiKeyHeader != null) {
            return keys.matches(apiKeyHeader.trim()) ? Verdict.ACCEPTED : Verdict.REFUSED;
        }
        if (authorization == null || authorization.isBlank()) {
            return Verdict.MISSING;
        }
        if (!authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Verdict.REFUSED;
        }
        String credential = authorization.substring(BEARER.length()).trim();
        if (keys.matches(credential)) {
            return Verdict.ACCEPTED;
        }
        return tokens.map(t -> t.verify(credential)).orElse(Verdict.REFUSED);
    }
}

package io.finetune.service.security;

import org.jboss.logging.Logger;
import org.jose4j.http.SimpleGet;
import org.jose4j.http.SimpleResponse;
import org.jose4j.json.JsonUtil;
import org.jose4j.jwk.HttpsJwks;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwx.JsonWebStructure;
import org.jose4j.keys.resolvers.HttpsJwksVerificationKeyResolver;
import org.jose4j.keys.resolvers.VerificationKeyResolver;
import org.jose4j.lang.JoseException;
import org.jose4j.lang.UnresolvableKeyException;

import java.io.IOException;
import java.security.Key;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The provider's keys found through OpenID Connect Discovery: {@code ISSUER/.well-known/openid-configuration} names
 * the JWKS ({@code jwks_uri}). Discovery happens when the first token arrives, not at start-up, so a service can start
 * before its provider is reachable (pods start in any order). A failed attempt refuses the token and is retried after
 * a pause, so an unreachable provider is not asked once per request.
 */
final class DiscoveredJwks implements VerificationKeyResolver {
    private static final Logger LOG = Logger.getLogger(DiscoveredJwks.class);
    static final String WELL_KNOWN = "/.well-known/openid-configuration";

    private final String issuer;
    private final SimpleGet http;
    private final Duration retryAfter;
    private final Clock clock;

    private VerificationKeyResolver keys;
    private Instant nextAttempt = Instant.MIN;
    private String lastFailure;

    DiscoveredJwks(String issuer, SimpleGet http, Duration retryAfter, Clock clock) {
        this.issuer = issuer;
        this.http = http;
        this.retryAfter = retryAfter;
        this.clock = clock;
    }

    @Override
    public Key resolveKey(JsonWebSignature jws, List<JsonWebStructure> nestingContext)
            throws UnresolvableKeyException {
        return keys().resolveKey(jws, nestingContext);
    }

    private synchronized VerificationKeyResolver keys() throws UnresolvableKeyException {
        if (keys != null) {
            return keys;
        }
        if (clock.instant().isBefore(nextAttempt)) {
            throw new UnresolvableKeyException("OIDC discovery failed (" + lastFailure + "); next attempt at "
                    + nextAttempt);
        }
        try {
            String jwksUri = jwksUri();
            HttpsJwks jwks = new HttpsJwks(jwksUri);
            jwks.setSimpleHttpGet(http);
            keys = new HttpsJwksVerificationKeyResolver(jwks);
            LOG.infof("OIDC discovery: issuer %s publishes its keys at %s", issuer, jwksUri);
            return keys;
        } catch (IOException | JoseException | IllegalStateException e) {
            lastFailure = e.getMessage();
            nextAttempt = clock.instant().plus(retryAfter);
            LOG.warnf("OIDC discovery at %s failed, tokens are refused until it succeeds (next attempt in %ss): %s",
                    configurationUrl(), retryAfter.toSeconds(), lastFailure);
            throw new UnresolvableKeyException("OIDC discovery failed: " + lastFailure, e);
        }
    }

    /** The discovery document's {@code jwks_uri}, after checking it speaks for the configured issuer. */
    private String jwksUri() throws IOException, JoseException {
        String url = configurationUrl();
        SimpleResponse response = http.get(url);
        if (response.getStatusCode() != 200) {
            throw new IllegalStateException(url + " answered HTTP " + response.getStatusCode());
        }
        Map<String, Object> document = JsonUtil.parseJson(response.getBody());
        // OpenID Connect Discovery 1.0, section 4.3: the document's issuer must be exactly the one asked about, or
        // a document served elsewhere could point the service at keys of its choosing.
        if (!issuer.equals(document.get("issuer"))) {
            throw new IllegalStateException(url + " describes issuer " + document.get("issuer") + ", not " + issuer);
        }
        if (!(document.get("jwks_uri") instanceof String jwksUri) || jwksUri.isBlank()) {
            throw new IllegalStateException(url + " has no jwks_uri");
        }
        return jwksUri;
    }

    private String configurationUrl() {
        return issuer.replaceAll("/+$", "") + WELL_KNOWN;
    }
}

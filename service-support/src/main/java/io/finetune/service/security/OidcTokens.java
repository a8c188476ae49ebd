package io.finetune.service.security;

import org.jboss.logging.Logger;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.HttpsJwks;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.ErrorCodeValidator;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.http.Get;
import org.jose4j.keys.resolvers.HttpsJwksVerificationKeyResolver;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;
import org.jose4j.keys.resolvers.VerificationKeyResolver;
import org.jose4j.lang.JoseException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks OIDC access tokens the way a resource server does: the JWS signature against the provider's published keys
 * (JWKS), an allowed asymmetric algorithm, the issuer, the audience, and expiry. No call to the provider per request:
 * its keys are cached and fetched again only when a token names a key not seen yet. What a valid token may do comes
 * from its scopes or roles ({@link #roleOf}).
 */
public final class OidcTokens {
    private static final Logger LOG = Logger.getLogger(OidcTokens.class);
    private static final int HTTP_TIMEOUT_MILLIS = 5000;
    private static final Duration DISCOVERY_RETRY = Duration.ofSeconds(10);

    private final JwtConsumer consumer;
    private final List<String> roleClaims;
    private final String readRole;
    private final String writeRole;

    private OidcTokens(JwtConsumer consumer, AuthConfig.Oidc config) {
        this.consumer = consumer;
        this.roleClaims = List.copyOf(config.roleClaims());
        this.readRole = config.readRole();
        this.writeRole = config.writeRole();
    }

    /**
     * Empty when no provider is configured. The keys come from a JWKS URL or file when one is set, otherwise from
     * OIDC discovery at the issuer. Keys without issuer and audience are a configuration error.
     */
    public static Optional<OidcTokens> from(AuthConfig.Oidc config) {
        return from(config, DISCOVERY_RETRY, Clock.systemUTC());
    }

    /** As {@link #from(AuthConfig.Oidc)}, with the pause after a failed discovery and the clock that times it. */
    static Optional<OidcTokens> from(AuthConfig.Oidc config, Duration discoveryRetry, Clock clock) {
        Optional<String> issuerSetting = config.issuer().filter(s -> !s.isBlank());
        if (config.jwksUrl().isEmpty() && config.jwksFile().isEmpty() && issuerSetting.isEmpty()) {
            return Optional.empty();
        }
        if (config.jwksUrl().isPresent() && config.jwksFile().isPresent()) {
            throw new IllegalStateException(
                    "set finetune.auth.oidc.jwks-url or finetune.auth.oidc.jwks-file, not both");
        }
        String issuer = issuerSetting.orElseThrow(() -> new IllegalStateException(
                "finetune.auth.oidc.issuer must be set with a JWKS: tokens of any issuer using those keys would pass"));
        List<String> audience = config.audience().orElse(List.of());
        if (audience.isEmpty()) {
            throw new IllegalStateException("finetune.auth.oidc.audience must be set with an OIDC issuer: tokens the "
                    + "provider issued to any other client would pass");
        }
        JwtConsumer consumer = new JwtConsumerBuilder()
                .setVerificationKeyResolver(keys(config, issuer, discoveryRetry, clock))
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                        config.algorithms().toArray(String[]::new))
                .setExpectedIssuer(issuer)
                .setExpectedAudience(audience.toArray(String[]::new))
                .setRequireExpirationTime()
                .setAllowedClockSkewInSeconds(config.clockSkewSeconds())
                .build();
        return Optional.of(new OidcTokens(consumer, config));
    }

    /** Accepted with the token's subject and the role its scopes or roles grant, or why not. */
    public Checked verify(String token) {
        try {
            JwtClaims claims = consumer.process(token).getJwtClaims();
            String subject = claims.getClaimValueAsString("sub");
            return Checked.accepted(subject == null ? "oidc" : subject, roleOf(claims));
        } catch (InvalidJwtException e) {
            // The reasons name claims and keys, never the token itself.
            if (LOG.isDebugEnabled()) {
                LOG.debugf("access token refused: %s", e.getErrorDetails().stream()
                        .map(ErrorCodeValidator.Error::getErrorMessage).collect(Collectors.joining("; ")));
            }
            return e.hasExpired() ? Checked.EXPIRED : Checked.REFUSED;
        }
    }

    /** The highest role that any of the role claims grants; empty when none names the read or write value. */
    Optional<Role> roleOf(JwtClaims claims) {
        Set<String> values = new HashSet<>();
        for (String claim : roleClaims) {
            Object value = claimAt(claims.getClaimsMap(), claim);
            if (value instanceof String text) {
                values.addAll(Arrays.asList(text.trim().split("\\s+")));
            } else if (value instanceof Collection<?> items) {
                items.stream().filter(String.class::isInstance).map(String.class::cast).forEach(values::add);
            }
        }
        if (values.contains(writeRole)) {
            return Optional.of(Role.WRITE);
        }
        return values.contains(readRole) ? Optional.of(Role.READ) : Optional.empty();
    }

    /** The claim of that name, or, when there is none, the one its {@code /}-separated path leads to. */
    private static Object claimAt(Map<String, Object> claims, String name) {
        if (claims.containsKey(name) || !name.contains("/")) {
            return claims.get(name);
        }
        Object value = claims;
        for (String step : name.split("/")) {
            if (!(value instanceof Map<?, ?> object)) {
                return null;
            }
            value = object.get(step);
        }
        return value;
    }

    private static VerificationKeyResolver keys(AuthConfig.Oidc config, String issuer, Duration discoveryRetry,
                                                Clock clock) {
        if (config.jwksFile().isPresent()) {
            Path file = config.jwksFile().get();
            try {
                return new JwksVerificationKeyResolver(new JsonWebKeySet(Files.readString(file)).getJsonWebKeys());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read finetune.auth.oidc.jwks-file " + file, e);
            } catch (JoseException e) {
                throw new IllegalStateException("finetune.auth.oidc.jwks-file " + file + " is not a JWKS: "
                        + e.getMessage(), e);
            }
        }
        Get http = new Get();
        http.setConnectTimeout(HTTP_TIMEOUT_MILLIS);
        http.setReadTimeout(HTTP_TIMEOUT_MILLIS);
        if (config.jwksUrl().isEmpty()) {
            // DiscoveredJwks retries a failed discovery after a pause. jose4j's own retries (3, with 5 s timeouts)
            // would instead hold the first token's request, and every request queued behind it, for up to 20 s.
            http.setRetries(0);
            return new DiscoveredJwks(issuer, http, discoveryRetry, clock);
        }
        HttpsJwks jwks = new HttpsJwks(config.jwksUrl().get());
        jwks.setSimpleHttpGet(http);
        return new HttpsJwksVerificationKeyResolver(jwks);
    }
}

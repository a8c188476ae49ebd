package io.finetune.service.security;

import org.jboss.logging.Logger;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.HttpsJwks;
import org.jose4j.jwk.JsonWebKeySet;
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
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Checks OIDC access tokens the way a resource server does: the JWS signature against the provider's published keys
 * (JWKS), an allowed asymmetric algorithm, the issuer, the audience, and expiry. No call to the provider per request:
 * its keys are cached and fetched again only when a token names a key not seen yet.
 */
public final class OidcTokens {
    private static final Logger LOG = Logger.getLogger(OidcTokens.class);
    private static final int JWKS_TIMEOUT_MILLIS = 5000;

    private final JwtConsumer consumer;

    private OidcTokens(JwtConsumer consumer) {
        this.consumer = consumer;
    }

    /** Empty when no JWKS is configured; a JWKS without issuer and audience is a configuration error. */
    public static Optional<OidcTokens> from(AuthConfig.Oidc config) {
        if (config.jwksUrl().isEmpty() && config.jwksFile().isEmpty()) {
            return Optional.empty();
        }
        if (config.jwksUrl().isPresent() && config.jwksFile().isPresent()) {
            throw new IllegalStateException(
                    "set finetune.auth.oidc.jwks-url or finetune.auth.oidc.jwks-file, not both");
        }
        String issuer = config.issuer().filter(s -> !s.isBlank()).orElseThrow(() -> new IllegalStateException(
                "finetune.auth.oidc.issuer must be set with a JWKS: tokens of any issuer using those keys would pass"));
        List<String> audience = config.audience().orElse(List.of());
        if (audience.isEmpty()) {
            throw new IllegalStateException("finetune.auth.oidc.audience must be set with a JWKS: tokens the provider "
                    + "issued to any other client would pass");
        }
        JwtConsumer consumer = new JwtConsumerBuilder()
                .setVerificationKeyResolver(keys(config))
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                        config.algorithms().toArray(String[]::new))
                .setExpectedIssuer(issuer)
                .setExpectedAudience(audience.toArray(String[]::new))
                .setRequireExpirationTime()
                .setAllowedClockSkewInSeconds(config.clockSkewSeconds())
                .build();
        return Optional.of(new OidcTokens(consumer));
    }

    public Verdict verify(String token) {
        try {
            consumer.process(token);
            return Verdict.ACCEPTED;
        } catch (InvalidJwtException e) {
            // The reasons name claims and keys, never the token itself.
            if (LOG.isDebugEnabled()) {
                LOG.debugf("access token refused: %s", e.getErrorDetails().stream()
                        .map(ErrorCodeValidator.Error::getErrorMessage).collect(Collectors.joining("; ")));
            }
            return e.hasExpired() ? Verdict.EXPIRED : Verdict.REFUSED;
        }
    }

    private static VerificationKeyResolver keys(AuthConfig.Oidc config) {
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
        Get get = new Get();
        get.setConnectTimeout(JWKS_TIMEOUT_MILLIS);
        get.setReadTimeout(JWKS_TIMEOUT_MILLIS);
        HttpsJwks jwks = new HttpsJwks(config.jwksUrl().get());
        jwks.setSimpleHttpGet(get);
        return new HttpsJwksVerificationKeyResolver(jwks);
    }
}

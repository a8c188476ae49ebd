package io.finetune.service.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Who may call a service's REST API (docs/security.md). */
@ConfigMapping(prefix = "finetune.auth")
public interface AuthConfig {
    /**
     * On unless switched off explicitly: every REST endpoint, reads included, then needs a credential with the role
     * it names; a service that is on but accepts no credential refuses to start. Off, everyone may do everything.
     */
    @WithDefault("true")
    boolean enabled();

    /**
     * Accepted API keys, each {@code [read:|write:]KEY} with KEY plain or {@code sha256:<hex>}; no role prefix means
     * write (read and write). Set from FINETUNE_API_KEYS.
     */
    Optional<List<String>> apiKeys();

    Oidc oidc();

    /** An OIDC provider whose access tokens are accepted, checked as a resource server checks them. */
    interface Oidc {
        /**
         * The provider's JWKS, fetched and cached; fetched again when a token names a key it lacks (rotation). Unset
         * (and no file): found by OIDC discovery at {@code ISSUER/.well-known/openid-configuration}.
         */
        Optional<String> jwksUrl();

        /** A JWKS file instead of a URL, for providers this service cannot reach. */
        Optional<Path> jwksFile();

        /** The {@code iss} every token must carry, and where discovery looks for the provider's keys. */
        Optional<String> issuer();

        /** Tokens must name at least one of these in {@code aud}. */
        Optional<List<String>> audience();

        /** Tolerated clock difference for {@code exp} and {@code nbf}. */
        @WithDefault("30")
        int clockSkewSeconds();

        /** Accepted signature algorithms: asymmetric only, so a public JWKS key can never be used as an HMAC secret. */
        @WithDefault("RS256,RS384,RS512,PS256,PS384,PS512,ES256,ES384,ES512")
        List<String> algorithms();

        /**
         * The claims a token's roles are read from, in this order, all of them counted: a space-separated string (as
         * OAuth 2 {@code scope}) or an array of strings (as {@code scp}, {@code roles}, Keycloak's
         * {@code realm_access/roles}; a {@code /} walks into a nested object).
         */
        @WithDefault("scope,scp,roles")
        List<String> roleClaims();

        /** The scope or role value that grants read. */
        @WithDefault("finetune:read")
        String readRole();

        /** The scope or role value that grants write (and with it read). */
        @WithDefault("finetune:write")
        String writeRole();
    }
}

package io.finetune.service.security;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** AuthConfig as plain values, for tests that build an Authenticator without Quarkus. */
record Settings(boolean enabled, Optional<List<String>> apiKeys, Oidc oidc)
        implements AuthConfig {
    static final List<String> ALGORITHMS = List.of("RS256", "PS256", "ES256");

    static Settings keys(String... keys) {
        return new Settings(true, Optional.of(List.of(keys)), Oidc.NONE);
    }

    Settings withOidc(Oidc oidc) {
        return new Settings(enabled, apiKeys, oidc);
    }

    record Oidc(Optional<String> jwksUrl, Optional<Path> jwksFile, Optional<String> issuer,
                Optional<List<String>> audience, int clockSkewSeconds, List<String> algorithms,
                List<String> roleClaims, String readRole, String writeRole)
            implements AuthConfig.Oidc {
        static final List<String> ROLE_CLAIMS = List.of("scope", "scp", "roles");
        static final Oidc NONE = new Oidc(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), 0,
                ALGORITHMS, ROLE_CLAIMS, "finetune:read", "finetune:write");

        /** With the default role claims and values. */
        Oidc(Optional<String> jwksUrl, Optional<Path> jwksFile, Optional<String> issuer,
             Optional<List<String>> audience, int clockSkewSeconds, List<String> algorithms) {
            this(jwksUrl, jwksFile, issuer, audience, clockSkewSeconds, algorithms, ROLE_CLAIMS, "finetune:read",
                    "finetune:write");
        }

        static Oidc url(String jwksUrl) {
            return new Oidc(Optional.of(jwksUrl), Optional.empty(), Optional.of(TestIssuer.ISSUER),
                    Optional.of(List.of(TestIssuer.AUDIENCE)), 0, ALGORITHMS, ROLE_CLAIMS,
                    "finetune:read", "finetune:write");
        }

        /** No JWKS location: the keys are found by discovery at the issuer. */
        static Oidc discovery(String issuer) {
            return new Oidc(Optional.empty(), Optional.empty(), Optional.of(issuer),
                    Optional.of(List.of(TestIssuer.AUDIENCE)), 0, ALGORITHMS, ROLE_CLAIMS,
                    "finetune:read", "finetune:write");
        }

        Oidc withRoles(List<String> claims, String read, String write) {
            return new Oidc(jwksUrl, jwksFile, issuer, audience, clockSkewSeconds, algorithms, claims, read, write);
        }

        static Oidc file(Path jwks) {
            return new Oidc(Optional.empty(), Optional.of(jwks), Optional.of(TestIssuer.ISSUER),
                    Optional.of(List.of(TestIssuer.AUDIENCE)), 0, ALGORITHMS, ROLE_CLAIMS,
                    "finetune:read", "finetune:write");
        }
    }
}

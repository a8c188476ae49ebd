package io.finetune.service.security;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Set;

/**
 * Quarkus Security's way in for this project's credentials: {@code X-API-Key: KEY}, or {@code Authorization: Bearer}
 * with an API key or an OIDC access token. A request without either is anonymous, and {@code @RolesAllowed} answers
 * it 401 ({@link AuthProblems}); one with a credential is checked by {@link CredentialIdentityProvider} and becomes a
 * {@link SecurityIdentity} with the roles {@code read}, or {@code read} and {@code write}.
 *
 * <p>With authentication switched off ({@code finetune.auth.enabled=false}), every request is an identity with both
 * roles, so the same annotations let everyone through; an endpoint without any annotation stays closed even then.
 */
@ApplicationScoped
public class CredentialMechanism implements HttpAuthenticationMechanism {
    /** The challenge of every 401; refused or expired credentials add {@code error="invalid_token"} (RFC 6750). */
    public static final String CHALLENGE = "Bearer realm=\"finetune\"";
    static final String INVALID_TOKEN = CHALLENGE + ", error=\"invalid_token\"";

    private static final SecurityIdentity EVERYONE = QuarkusSecurityIdentity.builder()
            .setPrincipal(new QuarkusPrincipal("authentication-off")).addRoles(Role.WRITE.grants()).build();

    private final Authenticator authenticator;

    public CredentialMechanism(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        if (!authenticator.enabled()) {
            return Uni.createFrom().item(EVERYONE);
        }
        String apiKey = context.request().getHeader(Authenticator.API_KEY_HEADER);
        String authorization = context.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (apiKey == null && (authorization == null || authorization.isBlank())) {
            return Uni.createFrom().nullItem();
        }
        return identities.authenticate(HttpSecurityUtils.setRoutingContextAttribute(
                new CredentialRequest(apiKey, authorization), context));
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, HttpHeaderNames.WWW_AUTHENTICATE, CHALLENGE));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(CredentialRequest.class);
    }
}

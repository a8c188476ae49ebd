package io.finetune.service.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.Set;

/**
 * Turns the credential {@link CredentialMechanism} found into a {@link SecurityIdentity}, through
 * {@link Authenticator}. Off the event loop: a token's first check may fetch the provider's keys.
 */
@ApplicationScoped
public class CredentialIdentityProvider implements IdentityProvider<CredentialRequest> {
    /** The attribute of a refusal that carries its problem detail. */
    static final String DETAIL = "finetune.problem-detail";

    private final Authenticator authenticator;

    public CredentialIdentityProvider(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public Class<CredentialRequest> getRequestType() {
        return CredentialRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(CredentialRequest request, AuthenticationRequestContext context) {
        return context.runBlocking(() -> identity(authenticator.check(request.apiKeyHeader(),
                request.authorization())));
    }

    static SecurityIdentity identity(Checked checked) {
        return switch (checked.verdict()) {
            case ACCEPTED -> QuarkusSecurityIdentity.builder()
                    .setPrincipal(new QuarkusPrincipal(checked.principal()))
                    .addRoles(checked.role().map(Role::grants).orElse(Set.of()))
                    .build();
            case EXPIRED -> throw refused("the access token has expired");
            case MISSING, REFUSED -> throw refused("the API key or access token is not accepted");
        };
    }

    /** A credential was sent and refused; the detail, for the problem body, names no part of it. */
    private static AuthenticationFailedException refused(String detail) {
        return new AuthenticationFailedException(detail, Map.of(DETAIL, detail));
    }
}

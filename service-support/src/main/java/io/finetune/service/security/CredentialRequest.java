package io.finetune.service.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** The credential headers of one request, as {@link CredentialMechanism} found them, for {@link CredentialIdentityProvider}. */
final class CredentialRequest extends BaseAuthenticationRequest {
    private final String apiKeyHeader;
    private final String authorization;

    CredentialRequest(String apiKeyHeader, String authorization) {
        this.apiKeyHeader = apiKeyHeader;
        this.authorization = authorization;
    }

    String apiKeyHeader() {
        return apiKeyHeader;
    }

    String authorization() {
        return authorization;
    }
}

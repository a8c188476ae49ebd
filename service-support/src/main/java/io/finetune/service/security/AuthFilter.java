package io.finetune.service.security;

import io.finetune.service.rest.Problem;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses unauthenticated requests to the service's REST resources with 401 and a problem body, before the request
 * body is read. Health and metrics (/q/health, /q/metrics) are not REST resources and never pass through here, so
 * probes and Prometheus need no credential.
 */
public class AuthFilter {
    private static final String CHALLENGE = "Bearer realm=\"finetune\"";
    private final Authenticator authenticator;

    public AuthFilter(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public Response authenticate(ContainerRequestContext request) {
        if (!authenticator.guards(request.getMethod())) {
            return null;
        }
        Verdict verdict = authenticator.check(request.getHeaderString(Authenticator.API_KEY_HEADER),
                request.getHeaderString(HttpHeaders.AUTHORIZATION));
        return switch (verdict) {
            case ACCEPTED -> null;
            case MISSING -> unauthorized(CHALLENGE, request.getMethod() + " " + request.getUriInfo().getPath()
                    + " needs a credential: an API key (X-API-Key or Authorization: Bearer) or an OIDC access token"
                    + " (Authorization: Bearer)");
            case EXPIRED -> unauthorized(CHALLENGE + ", error=\"invalid_token\"", "the access token has expired");
            case REFUSED -> unauthorized(CHALLENGE + ", error=\"invalid_token\"",
                    "the API key or access token is not accepted");
        };
    }

    private static Response unauthorized(String challenge, String detail) {
        Response problem = Problem.of(Response.Status.UNAUTHORIZED, detail).getResponse();
        return Response.fromResponse(problem).header(HttpHeaders.WWW_AUTHENTICATE, challenge).build();
    }
}

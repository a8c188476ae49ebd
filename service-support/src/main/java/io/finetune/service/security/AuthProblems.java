package io.finetune.service.security;

import io.finetune.service.rest.Problem;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.lang.reflect.Method;

/**
 * Quarkus Security's refusals as this project's problem bodies. They are thrown by the security check that runs when
 * a request has been matched to its resource method and before its body is read or any request filter
 * ({@code BodyLimitFilter}) runs, so an anonymous caller learns nothing about body limits or the body's shape.
 * <ul>
 *     <li>no credential: 401 and the challenge {@code Bearer realm="finetune"};</li>
 *     <li>a credential that is refused or expired: 401, the challenge with {@code error="invalid_token"};</li>
 *     <li>an accepted credential without the role the method needs: 403.</li>
 * </ul>
 */
public class AuthProblems {

    @ServerExceptionMapper
    public Response anonymous(UnauthorizedException e, ContainerRequestContext request) {
        return unauthorized(CredentialMechanism.CHALLENGE, request.getMethod() + " /" + path(request)
                + " needs a credential: an API key (X-API-Key or Authorization: Bearer) or an OIDC access token"
                + " (Authorization: Bearer)");
    }

    @ServerExceptionMapper
    public Response refused(AuthenticationFailedException e) {
        return unauthorized(CredentialMechanism.INVALID_TOKEN, detail(e));
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, ContainerRequestContext request, ResourceInfo resource) {
        String endpoint = request.getMethod() + " /" + path(request);
        RolesAllowed roles = rolesOf(resource.getResourceMethod());
        String detail = roles == null
                ? endpoint + " is open to no credential: its resource method names no role"
                : endpoint + " needs the role " + String.join(" or ", roles.value())
                        + ", which this credential does not have";
        return Problem.of(Response.Status.FORBIDDEN, detail).getResponse();
    }

    private static Response unauthorized(String challenge, String detail) {
        Response problem = Problem.of(Response.Status.UNAUTHORIZED, detail).getResponse();
        return Response.fromResponse(problem).header(HttpHeaders.WWW_AUTHENTICATE, challenge).build();
    }

    /** The detail a refused credential was given; Quarkus may wrap it on the way here. */
    private static String detail(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AuthenticationFailedException failed
                    && failed.getAttribute(CredentialIdentityProvider.DETAIL) instanceof String detail) {
                return detail;
            }
        }
        return "the API key or access token is not accepted";
    }

    private static String path(ContainerRequestContext request) {
        return request.getUriInfo().getPath().replaceFirst("^/+", "");
    }

    private static RolesAllowed rolesOf(Method method) {
        if (method == null) {
            return null;
        }
        RolesAllowed roles = method.getAnnotation(RolesAllowed.class);
        return roles != null ? roles : method.getDeclaringClass().getAnnotation(RolesAllowed.class);
    }
}

package io.finetune.trainer;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * A resource whose author forgot to say who may call it: part of the test application only, so that {@link AuthIT}
 * can show that such an endpoint is closed to every credential (quarkus.security.jaxrs.deny-unannotated-endpoints).
 * Hidden from the OpenAPI document, which describes the service itself ({@link OpenApiIT}).
 */
@Path("/it-forgotten")
public class ForgottenResource {
    @GET
    @Operation(hidden = true)
    public String secret() {
        return "this should never be served";
    }
}

package io.finetune.ingest.rest;

import io.finetune.service.rest.Problem;
import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Errors RESTEasy raises before a resource runs (a body type no endpoint consumes, a JSON body that does not parse,
 * an unknown path) come with an empty body: turn them into problem JSON like every other 4xx of this service.
 * Problems the resources throw already carry their body and pass through unchanged.
 */
public class ProblemMappers {
    @ServerExceptionMapper
    public Response unsupported(NotSupportedException e, HttpHeaders headers) {
        String type = headers.getHeaderString(HttpHeaders.CONTENT_TYPE);
        return Problem.of(Response.Status.UNSUPPORTED_MEDIA_TYPE, "Content-Type '" + type + "' is not accepted"
                + " here: /q/openapi lists the types each endpoint consumes").getResponse();
    }

    @ServerExceptionMapper
    public Response bodiless(WebApplicationException e) {
        Response response = e.getResponse();
        if (response.hasEntity() || response.getStatus() < 400 || response.getStatus() >= 500) {
            return response;
        }
        String detail = e.getCause() instanceof JsonProcessingException json
                ? "the request body is not valid JSON: " + json.getOriginalMessage()
                : e.getMessage();
        Response.StatusType status = response.getStatusInfo();
        return Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(new Problem("about:blank", status.getReasonPhrase(), status.getStatusCode(), detail, null))
                .build();
    }
}

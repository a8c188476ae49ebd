package io.finetune.service.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;
import java.util.Map;

/** An RFC 9457 problem body: every 4xx of this service explains itself in JSON. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = Problem.SCHEMA, description = "An RFC 9457 problem: what was wrong with the request and how to fix it")
public record Problem(
        @Schema(description = "always about:blank: the status says what kind of problem it is") String type,
        @Schema(description = "the HTTP status's reason phrase", examples = "Unprocessable Content") String title,
        @Schema(description = "the HTTP status code", examples = "422") int status,
        @Schema(description = "what was wrong, naming the field or value, and how to fix it") String detail,
        @Schema(description = "one entry per rejected record of an upload: its line, reason and field")
        List<Map<String, Object>> errors) {
    public static final String MEDIA_TYPE = "application/problem+json";
    /** The name of this body's schema in every service's OpenAPI document. */
    public static final String SCHEMA = "Problem";

    public static WebApplicationException of(Response.Status status, String detail) {
        return of(status, detail, null);
    }

    public static WebApplicationException of(Response.Status status, String detail, List<Map<String, Object>> errors) {
        return of(status.getStatusCode(), status.getReasonPhrase(), detail, errors);
    }

    /** 422: the request is well-formed but asks for something that cannot be done (JAX-RS has no constant). */
    public static WebApplicationException unprocessable(String detail) {
        return unprocessable(detail, null);
    }

    /** 422 with one entry per problem, e.g. each field that is wrong. */
    public static WebApplicationException unprocessable(String detail, List<Map<String, Object>> errors) {
        return of(422, "Unprocessable Content", detail, errors);
    }

    private static WebApplicationException of(int status, String title, String detail,
                                              List<Map<String, Object>> errors) {
        Problem problem = new Problem("about:blank", title, status, detail, errors);
        return new WebApplicationException(detail, Response.status(status).type(MEDIA_TYPE).entity(problem).build());
    }
}

package io.finetune.service.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import java.util.List;
import java.util.Map;

/** An RFC 9457 problem body: every 4xx of this service explains itself in JSON. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, List<Map<String, Object>> errors) {
    public static final String MEDIA_TYPE = "application/problem+json";

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

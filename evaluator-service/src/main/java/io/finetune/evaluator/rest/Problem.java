package io.finetune.evaluator.rest;

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
        Problem problem = new Problem("about:blank", status.getReasonPhrase(), status.getStatusCode(), detail, errors);
        return new WebApplicationException(detail,
                Response.status(status).type(MEDIA_TYPE).entity(problem).build());
    }
}

package io.finetune.service.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.apache.kafka.common.errors.RetriableException;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Errors Quarkus REST raises before a resource runs come with an empty body: a body type no endpoint consumes, a
 * JSON body that does not parse or has a field of the wrong type, a path no endpoint serves or a method it does not
 * take. Here they become problem JSON like every other 4xx of the four services, naming what was wrong and where.
 * Problems the resources throw already carry their body and pass through unchanged. A request that needed Kafka
 * while the broker did not answer is a 503 that says so, not a bare 500.
 */
public class RequestProblems {
    /** Seconds a client waits before it tries again after a 503: a broker restart or a leader election takes that. */
    static final int RETRY_AFTER_SECONDS = 10;

    /**
     * Kafka's retriable errors, its timeouts first among them: the consumer or producer behind the endpoint gave up
     * waiting for the broker ({@code default.api.timeout.ms}, {@code max.block.ms}). Passing, so the client is told to
     * come back, and that what it asked for may not have been done.
     */
    @ServerExceptionMapper
    public Response kafkaAway(RetriableException e) {
        return Response.fromResponse(Problem.of(Response.Status.SERVICE_UNAVAILABLE, "Kafka did not answer in time ("
                        + e.getClass().getSimpleName() + ": " + e.getMessage() + "), so this request could not be"
                        + " completed; try again in a moment").getResponse())
                .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS).build();
    }

    @ServerExceptionMapper
    public Response unsupported(NotSupportedException e, HttpHeaders headers) {
        String type = headers.getHeaderString(HttpHeaders.CONTENT_TYPE);
        return Problem.of(Response.Status.UNSUPPORTED_MEDIA_TYPE, "Content-Type '" + type + "' is not accepted"
                + " here: /q/openapi lists the types each endpoint consumes").getResponse();
    }

    /** A body Jackson could not read, when it reaches here unwrapped. */
    @ServerExceptionMapper
    public Response unreadable(JsonProcessingException e) {
        return Problem.of(Response.Status.BAD_REQUEST, JsonBodyProblem.describe(e)).getResponse();
    }

    /**
     * A field of the wrong kind. Quarkus maps this exception itself, with an empty body outside dev mode; the higher
     * priority puts this mapper first.
     */
    @ServerExceptionMapper(priority = Priorities.USER - 1)
    public Response mismatched(MismatchedInputException e) {
        return unreadable(e);
    }

    @ServerExceptionMapper
    public Response bodiless(WebApplicationException e, ContainerRequestContext request) {
        Response response = e.getResponse();
        if (response.hasEntity() || response.getStatus() < 400 || response.getStatus() >= 500) {
            return response;
        }
        String endpoint = request.getMethod() + " /" + request.getUriInfo().getPath().replaceFirst("^/+", "");
        String detail = switch (response.getStatus()) {
            case 404 -> "no endpoint at " + endpoint + ": /q/openapi lists this service's endpoints";
            case 405 -> "no endpoint at " + endpoint + ": the path takes other methods, which /q/openapi lists";
            default -> e.getCause() instanceof JsonProcessingException json ? JsonBodyProblem.describe(json)
                    : e.getMessage();
        };
        Response.StatusType status = response.getStatusInfo();
        return Response.fromResponse(response).type(Problem.MEDIA_TYPE)
                .entity(new Problem("about:blank", status.getReasonPhrase(), status.getStatusCode(), detail, null))
                .build();
    }
}

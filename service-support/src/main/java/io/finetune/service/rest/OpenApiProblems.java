package io.finetune.service.rest;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * The answers every operation of the four services shares, stated once: every 4xx carries a {@link Problem} body
 * ({@code RequestProblems} and {@code AuthProblems} make that true for the errors Quarkus raises itself); an operation
 * with a request body may answer 400 when a JSON body does not parse or has a field of the wrong type, 413 over its
 * body limit and 415 for a Content-Type it does not take; a secured one answers 401 and 403. Resources document their
 * own success codes and refusals with {@code @APIResponse}.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.RUNTIME_STARTUP)
public class OpenApiProblems implements OASFilter {
    static final String MALFORMED_JSON = "The body is not valid JSON, or a field holds a value of the wrong kind:"
            + " the detail names the field";
    static final String TOO_LARGE = "The body is larger than this endpoint's limit (finetune.http.body-limit,"
            + " docs/security.md)";
    static final String UNSUPPORTED = "The Content-Type is none of those listed for the request body";
    static final String UNAUTHORIZED = "No credential, or one that is not accepted: send X-API-Key or"
            + " Authorization: Bearer with an API key or an OIDC access token (docs/security.md)";
    static final String FORBIDDEN = "The credential is accepted but lacks the role this operation needs";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        for (PathItem path : openAPI.getPaths().getPathItems().values()) {
            if (path.getOperations() != null) {
                path.getOperations().values().forEach(OpenApiProblems::complete);
            }
        }
    }

    private static void complete(Operation operation) {
        if (operation.getResponses() == null) {
            operation.setResponses(OASFactory.createAPIResponses());
        }
        APIResponses responses = operation.getResponses();
        if (operation.getRequestBody() != null && operation.getRequestBody().getContent() != null) {
            if (operation.getRequestBody().getContent().hasMediaType("application/json")) {
                add(responses, "400", MALFORMED_JSON);
            }
            add(responses, "413", TOO_LARGE);
            add(responses, "415", UNSUPPORTED);
        }
        if (operation.getSecurity() != null && !operation.getSecurity().isEmpty()) {
            describe(responses, "401", UNAUTHORIZED);
            describe(responses, "403", FORBIDDEN);
        }
        responses.getAPIResponses().forEach((code, response) -> {
            if (code.startsWith("4") && (response.getContent() == null || response.getContent().getMediaTypes()
                    == null || response.getContent().getMediaTypes().isEmpty())) {
                response.setContent(OASFactory.createContent().addMediaType(Problem.MEDIA_TYPE,
                        OASFactory.createMediaType().schema(OASFactory.createSchema()
                                .ref("#/components/schemas/" + Problem.SCHEMA))));
            }
        });
    }

    /** A shared answer beside the operation's own reasons for the same code, if it has any. */
    private static void add(APIResponses responses, String code, String description) {
        APIResponse own = responses.getAPIResponse(code);
        if (own == null) {
            responses.addAPIResponse(code, OASFactory.createAPIResponse().description(description));
        } else {
            String also = Character.toLowerCase(description.charAt(0)) + description.substring(1);
            if (!own.getDescription().contains(also)) {
                own.setDescription(own.getDescription() + "; or " + also);
            }
        }
    }

    /** Quarkus adds 401 and 403 to every secured operation, described only by their reason phrases. */
    private static void describe(APIResponses responses, String code, String description) {
        APIResponse response = responses.getAPIResponse(code);
        if (response == null) {
            responses.addAPIResponse(code, OASFactory.createAPIResponse().description(description));
        } else {
            response.setDescription(description);
        }
    }
}

package io.finetune.evaluator.rest;

import io.finetune.evaluator.serving.Corrections;
import io.finetune.evaluator.serving.ServingException;
import io.finetune.service.rest.Problem;
import io.finetune.service.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Corrections of a deployment's predictions ("this was not phishing"): each goes back into the dataset as a labeled
 * record with its origin, through ingest's raw topic (docs/serving.md#corrections). Writes data, so the write role.
 */
@Path("/deployments/{name}/corrections")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Deployments", description = "Checkpoints that label inference requests from Kafka (docs/serving.md)")
public class CorrectionResource {
    private final Corrections corrections;

    public CorrectionResource(Corrections corrections) {
        this.corrections = corrections;
    }

    @RolesAllowed(Roles.WRITE)
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Correct a prediction", description = "The right label for a text the deployment"
            + " classified: sent to ingest's raw topic as a labeled record of the checkpoint's dataset, id"
            + " correction:<deployment>:<requestId> (correcting a request twice leaves one record in the prepared"
            + " dataset: the first), with its origin (deployment, request, checkpoint, predicted label). Answered once Kafka acknowledged it; whether"
            + " the dataset takes it is ingest's decision (a sealed dataset dead-letters it as dataset-sealed)")
    @APIResponse(responseCode = "202", description = "On the raw topic: the record's id, dataset, partition and offset")
    @APIResponse(responseCode = "400", description = "No request id or text, a label (or predicted label) the"
            + " checkpoint does not have (the problem lists its labels), or a checkpoint of another dataset")
    @APIResponse(responseCode = "404", description = "No deployment of this name")
    @APIResponse(responseCode = "503", description = "Kafka did not acknowledge the record; nothing was recorded")
    public Response correct(@Parameter(description = "The deployment's name, e.g. phishing") @PathParam("name")
                            String name,
                            @RequestBody(description = "requestId, text and the right label; optionally the predicted"
                                    + " label and the checkpoint the prediction named") Corrections.Correction body) {
        try {
            return Response.accepted(corrections.submit(name, body)).build();
        } catch (ServingException e) {
            throw DeploymentResource.problem(e);
        } catch (IllegalStateException e) {
            throw Problem.of(Response.Status.SERVICE_UNAVAILABLE, e.getMessage());
        }
    }
}

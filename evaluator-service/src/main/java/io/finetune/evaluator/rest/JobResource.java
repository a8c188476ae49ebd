package io.finetune.evaluator.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.finetune.evaluator.domain.BestCheckpoint;
import io.finetune.evaluator.domain.EvaluatedCheckpoint;
import io.finetune.evaluator.domain.EvaluationStore;
import io.finetune.service.rest.Problem;
import io.finetune.service.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/** A training job's evaluations, and its best checkpoint: the one the trainer kept. */
@Path("/jobs/{jobId}")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Evaluations")
public class JobResource {
    private static final String JOB = "The training job's id";
    private final EvaluationStore store;

    public JobResource(EvaluationStore store) {
        this.store = store;
    }

    /** The job's evaluations in training order (epoch, step, the final checkpoint last): its learning curve. */
    @RolesAllowed(Roles.READ)
    @GET
    @Path("/evaluations")
    @Operation(summary = "A job's evaluations", description = "In training order (epoch, step): its learning curve"
            + " on held-out data")
    @APIResponse(responseCode = "200", description = "The evaluations")
    @APIResponse(responseCode = "404", description = "No evaluation of this job on record")
    public List<ObjectNode> evaluations(@Parameter(description = JOB) @PathParam("jobId") String jobId) {
        List<EvaluatedCheckpoint> evaluations = store.byJob(jobId);
        if (evaluations.isEmpty()) {
            throw unknownJob(jobId);
        }
        return evaluations.stream().map(EvaluatedCheckpoint::toJson).toList();
    }

    /**
     * The job's best checkpoint: the trainer's choice, its final checkpoint, which holds the evaluation that scored
     * best on the validation split by metricForBestModel ({@link BestCheckpoint}); its test figures only report.
     *
     * @param metric no longer offered: choosing by a test metric is refused with the reason
     */
    @RolesAllowed(Roles.READ)
    @GET
    @Path("/best")
    @Operation(summary = "A job's best checkpoint", description = "The trainer's choice: its final checkpoint, which"
            + " holds the evaluation that scored best on the validation split by metricForBestModel (or the last"
            + " weights with loadBestModelAtEnd false); its test figures only report")
    @APIResponse(responseCode = "200", description = "How it was chosen, its validation figures and its test"
            + " evaluation")
    @APIResponse(responseCode = "400", description = "A metric to choose by (refused: choosing on the test split"
            + " would flatter the test figures)")
    @APIResponse(responseCode = "404", description = "No evaluation of this job on record, or no final checkpoint"
            + " yet")
    public BestCheckpoint best(@Parameter(description = JOB) @PathParam("jobId") String jobId,
                               @Parameter(description = "Not offered: any value answers 400 with the reason")
                               @QueryParam("metric") String metric) {
        NoTestSetSelection.refuse(metric);
        if (store.byJob(jobId).isEmpty()) {
            throw unknownJob(jobId);
        }
        return store.best(jobId).map(BestCheckpoint::of).orElseThrow(() -> Problem.of(Response.Status.NOT_FOUND,
                BestCheckpoint.notYet(jobId)));
    }

    private static RuntimeException unknownJob(String jobId) {
        return Problem.of(Response.Status.NOT_FOUND, "no evaluation of job '" + jobId + "' on record");
    }
}

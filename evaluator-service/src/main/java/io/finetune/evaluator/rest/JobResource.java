package io.finetune.evaluator.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.finetune.evaluator.domain.EvaluatedCheckpoint;
import io.finetune.evaluator.domain.EvaluationStore;
import io.finetune.evaluator.domain.SelectionMetric;
import io.finetune.service.rest.Problem;
import io.finetune.service.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
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

/** A training job's evaluations, and the checkpoint to keep. */
@Path("/jobs/{jobId}")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Evaluations")
public class JobResource {
    private static final String JOB = "The training job's id";
    private final EvaluationStore store;

    public JobResource(EvaluationStore store) {
        this.store = store;
    }

    /** The job's evaluations in training order (epoch, step): its learning curve on held-out data. */
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
     * The job's best checkpoint by {@code metric}: accuracy (default), macro_f1, weighted_f1, log_loss (lowest wins),
     * roc_auc or pr_auc (two-class jobs). On a tie the earlier checkpoint wins.
     */
    @RolesAllowed(Roles.READ)
    @GET
    @Path("/best")
    @Operation(summary = "A job's best checkpoint", description = "By the metric; on a tie the earlier checkpoint")
    @APIResponse(responseCode = "200", description = "The best checkpoint's evaluation")
    @APIResponse(responseCode = "400", description = "An unknown metric")
    @APIResponse(responseCode = "404", description = "No evaluation of this job on record, or none defines the"
            + " metric")
    public ObjectNode best(@Parameter(description = JOB) @PathParam("jobId") String jobId,
                           @Parameter(description = "accuracy (default), macro_f1, weighted_f1, log_loss (lowest"
                                   + " wins), roc_auc or pr_auc (two-class jobs)")
                           @QueryParam("metric") @DefaultValue("accuracy") String metric) {
        SelectionMetric selection = SelectionMetric.parse(metric).orElseThrow(() -> Problem.of(
                Response.Status.BAD_REQUEST, "unknown metric '" + metric + "': use one of " + SelectionMetric.keys()));
        if (store.byJob(jobId).isEmpty()) {
            throw unknownJob(jobId);
        }
        return store.best(jobId, selection).map(EvaluatedCheckpoint::toJson).orElseThrow(() -> Problem.of(
                Response.Status.NOT_FOUND, "no evaluation of job '" + jobId + "' defines " + selection.key()));
    }

    private static RuntimeException unknownJob(String jobId) {
        return Problem.of(Response.Status.NOT_FOUND, "no evaluation of job '" + jobId + "' on record");
    }
}

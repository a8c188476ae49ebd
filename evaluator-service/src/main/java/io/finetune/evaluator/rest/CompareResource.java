package io.finetune.evaluator.rest;

import io.finetune.contracts.CleaningReport;
import io.finetune.contracts.EvaluationResult;
import io.finetune.contracts.Hyperparameters;
import io.finetune.evaluator.domain.EvaluatedCheckpoint;
import io.finetune.evaluator.domain.EvaluationStore;
import io.finetune.evaluator.domain.SelectionMetric;
import io.finetune.service.rest.Problem;
import io.finetune.service.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Training runs side by side: what was set, what data went in, and what the best checkpoint of each scored. */
@Path("/compare")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Evaluations", description = "Checkpoints evaluated on the test split: metrics, reports, advice, models")
public class CompareResource {

    /** One run: its best checkpoint by the chosen metric, the settings and the data behind it. */
    public record RunSummary(String job, String bestCheckpoint, Integer epoch, Hyperparameters hyperparameters,
                             String dataset, String build, Map<String, Map<String, Integer>> counts,
                             CleaningReport dataReport, EvaluationResult metrics) {
        static RunSummary of(String job, EvaluatedCheckpoint best) {
            EvaluationResult r = best.result();
            return new RunSummary(job, r.checkpointId(), r.epoch(),
                    best.checkpoint() == null ? null : best.checkpoint().hyperparameters(), r.dataset(),
                    best.data() == null ? null : best.data().build(), best.data() == null ? null : best.data().counts(),
                    best.data() == null ? null : best.data().report(), r);
        }
    }

    public record Comparison(String metric, List<RunSummary> runs) {
    }

    private final EvaluationStore store;

    public CompareResource(EvaluationStore store) {
        this.store = store;
    }

    /** @param jobs comma-separated job ids, at least two */
    @RolesAllowed(Roles.READ)
    @GET
    @Operation(summary = "Compare training runs", description = "Each job's best checkpoint by the metric, beside the"
            + " settings it trained with and the data that went in")
    @APIResponse(responseCode = "200", description = "The runs side by side, in the order asked for")
    @APIResponse(responseCode = "400", description = "Fewer than two jobs named, or an unknown metric")
    @APIResponse(responseCode = "404", description = "A job has no evaluation that defines the metric")
    public Comparison compare(@Parameter(description = "Comma-separated job ids, at least two: jobs=a,b")
                              @QueryParam("jobs") String jobs,
                              @Parameter(description = "accuracy (default), macro_f1, weighted_f1, log_loss, roc_auc"
                                      + " or pr_auc") @QueryParam("metric") @DefaultValue("accuracy") String metric) {
        SelectionMetric selection = SelectionMetric.parse(metric).orElseThrow(() -> Problem.of(
                Response.Status.BAD_REQUEST, "unknown metric '" + metric + "': use one of " + SelectionMetric.keys()));
        List<String> ids = jobs == null ? List.of() : Arrays.stream(jobs.split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).distinct().toList();
        if (ids.size() < 2) {
            throw Problem.of(Response.Status.BAD_REQUEST, "name at least two jobs: /compare?jobs=a,b");
        }
        List<RunSummary> runs = ids.stream().map(job -> RunSummary.of(job, store.best(job, selection)
                .orElseThrow(() -> Problem.of(Response.Status.NOT_FOUND, "no evaluation of job '" + job
                        + "' defines " + selection.key())))).toList();
        return new Comparison(selection.key(), runs);
    }
}

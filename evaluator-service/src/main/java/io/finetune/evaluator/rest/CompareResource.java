package io.finetune.evaluator.rest;

import io.finetune.contracts.CleaningReport;
import io.finetune.contracts.Hyperparameters;
import io.finetune.evaluator.domain.BestCheckpoint;
import io.finetune.evaluator.domain.EvaluatedCheckpoint;
import io.finetune.evaluator.domain.EvaluationStore;
import io.finetune.evaluator.domain.TrainedSettings;
import io.finetune.service.rest.Problem;
import io.finetune.service.security.Roles;
import jakarta.annotation.security.RolesAllowed;
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

/**
 * Training runs side by side: what was set, what data went in, and how each run's best checkpoint (the trainer's
 * choice, by validation) did on the validation and test splits. Runs come in the order asked for: nothing here ranks
 * or picks by test figures.
 */
@Path("/compare")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Evaluations", description = "Checkpoints evaluated on the test split: metrics, reports, advice, models")
public class CompareResource {

    /**
     * One run: its best checkpoint, the settings it trained with (as resolved by the trainer where the checkpoint
     * records them) and the data behind it.
     */
    public record RunSummary(String job, BestCheckpoint best, Hyperparameters hyperparameters, String build,
                             Map<String, Map<String, Integer>> counts, CleaningReport dataReport) {
        static RunSummary of(String job, EvaluatedCheckpoint best) {
            return new RunSummary(job, BestCheckpoint.of(best), TrainedSettings.of(best.checkpoint()),
                    best.data() == null ? null : best.data().build(), best.data() == null ? null : best.data().counts(),
                    best.data() == null ? null : best.data().report());
        }
    }

    public record Comparison(List<RunSummary> runs) {
    }

    private final EvaluationStore store;

    public CompareResource(EvaluationStore store) {
        this.store = store;
    }

    /**
     * @param jobs   comma-separated job ids, at least two, each with its final checkpoint evaluated
     * @param metric no longer offered: choosing by a test metric is refused with the reason
     */
    @RolesAllowed(Roles.READ)
    @GET
    @Operation(summary = "Compare training runs", description = "Each job's best checkpoint (the trainer's final one,"
            + " chosen on the validation split) beside the settings it trained with and the data that went in; test"
            + " figures are shown, never used to choose")
    @APIResponse(responseCode = "200", description = "The runs side by side, in the order asked for")
    @APIResponse(responseCode = "400", description = "Fewer than two jobs named, or a metric to choose by (refused:"
            + " choosing on the test split would flatter the test figures)")
    @APIResponse(responseCode = "404", description = "A job has no evaluation on record, or no final checkpoint yet")
    public Comparison compare(@Parameter(description = "Comma-separated job ids, at least two: jobs=a,b")
                              @QueryParam("jobs") String jobs,
                              @Parameter(description = "Not offered: a job's best is the trainer's choice on"
                                      + " validation; any value answers 400 with the reason")
                              @QueryParam("metric") String metric) {
        NoTestSetSelection.refuse(metric);
        List<String> ids = jobs == null ? List.of() : Arrays.stream(jobs.split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).distinct().toList();
        if (ids.size() < 2) {
            throw Problem.of(Response.Status.BAD_REQUEST, "name at least two jobs: /compare?jobs=a,b");
        }
        return new Comparison(ids.stream().map(job -> RunSummary.of(job, store.best(job).orElseThrow(() ->
                Problem.of(Response.Status.NOT_FOUND, store.byJob(job).isEmpty() ? "no evaluation of job '" + job
                        + "' on record" : BestCheckpoint.notYet(job))))).toList());
    }
}

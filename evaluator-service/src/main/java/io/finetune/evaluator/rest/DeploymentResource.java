package io.finetune.evaluator.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.finetune.contracts.PromotionDecision;
import io.finetune.contracts.TrainingJob;
import io.finetune.evaluator.messaging.BuildWatcher;
import io.finetune.evaluator.serving.Deployment;
import io.finetune.evaluator.serving.DeploymentChanges;
import io.finetune.evaluator.serving.Deployments;
import io.finetune.evaluator.serving.PromotionHistory;
import io.finetune.evaluator.serving.PromotionPolicy;
import io.finetune.evaluator.serving.Retraining;
import io.finetune.evaluator.serving.RetrainingPolicy;
import io.finetune.evaluator.serving.ServingException;
import io.finetune.service.rest.JsonBodyProblem;
import io.finetune.service.rest.Problem;
import io.finetune.service.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.logging.Logger;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * Named deployments that answer inference requests from Kafka (docs/serving.md): created on an evaluated checkpoint,
 * pointed at another one, rolled back to the one before, given a promotion policy whose decisions its history lists.
 * Changing what a deployment serves, or when it changes on its own, needs the write role.
 */
@Path("/deployments")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Deployments", description = "Checkpoints that label inference requests from Kafka (docs/serving.md)")
public class DeploymentResource {
    private static final String NAME = "The deployment's name, e.g. phishing";
    public record CreateDeployment(String name, String checkpoint) {
    }

    public record PointDeployment(String checkpoint) {
    }

    /** A promotion policy as a request gives it; see {@link PromotionPolicy}. */
    public record SetPolicy(String metric, Double minImprovement, String evaluationSet) {
    }

    /** A retraining policy as a request gives it; see {@link RetrainingPolicy}. */
    public record SetRetraining(String trigger, String warmStart) {
    }

    /** A retraining asked for now; {@code warmStart} null: the policy's, else the champion. */
    public record Retrain(String warmStart) {
    }

    private static final Logger LOG = Logger.getLogger(DeploymentResource.class);
    /** How long a change waits for its state to be on Kafka before it is answered anyway. */
    private static final Duration PUBLISHED = Duration.ofSeconds(10);

    private final Deployments deployments;
    private final PromotionHistory history;
    private final Retraining retraining;
    private final BuildWatcher builds;
    /** The REST layer's own mapper, so a body read by hand follows the same rules as the typed ones. */
    private final ObjectMapper json;
    private final DeploymentChanges states;

    public DeploymentResource(Deployments deployments, PromotionHistory history, Retraining retraining,
                              BuildWatcher builds, ObjectMapper json, DeploymentChanges states) {
        this.deployments = deployments;
        this.history = history;
        this.retraining = retraining;
        this.builds = builds;
        this.json = json;
        this.states = states;
    }

    /**
     * A change of what the deployment serves is answered once its state is on the deployments topic, so that the
     * serving replicas can see it (they catch up with the topic before they refuse a request naming a deployment they
     * lack); if Kafka takes longer than {@link #PUBLISHED}, the change is answered anyway, recorded, and published
     * when Kafka is back.
     */
    private Deployment published(Deployment changed) {
        if (!states.awaitPublished(changed.name(), PUBLISHED)) {
            LOG.warnf("deployment %s changed, but its state is not on Kafka after %s: serving replicas see the change"
                    + " once it is", changed.name(), PUBLISHED);
        }
        return changed;
    }

    @RolesAllowed(Roles.READ)
    @GET
    @Operation(summary = "List deployments", description = "Every deployment with the checkpoint it serves and the"
            + " one it would roll back to")
    @APIResponse(responseCode = "200", description = "The deployments")
    public List<Deployment> list() {
        return deployments.all();
    }

    @RolesAllowed(Roles.READ)
    @GET
    @Path("/{name}")
    @Operation(summary = "A deployment", description = "The checkpoint it serves, the one before, and when it changed")
    @APIResponse(responseCode = "200", description = "The deployment")
    @APIResponse(responseCode = "404", description = "No deployment of this name")
    public Deployment get(@Parameter(description = NAME) @PathParam("name") String name) {
        return deployments.get(name).orElseThrow(() -> Problem.of(Response.Status.NOT_FOUND,
                "no deployment '" + name + "'"));
    }

    @RolesAllowed(Roles.WRITE)
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a deployment", description = "A name and an evaluated checkpoint: from now on,"
            + " inference requests naming the deployment (or naming none, where serving.default-deployment is it) are"
            + " labelled by that checkpoint")
    @APIResponse(responseCode = "201", description = "Created; Location names it")
    @APIResponse(responseCode = "400", description = "No name or checkpoint, or a name that is not a safe name")
    @APIResponse(responseCode = "404", description = "No evaluated checkpoint of this id")
    @APIResponse(responseCode = "409", description = "A deployment of this name exists")
    @APIResponse(responseCode = "422", description = "The checkpoint's model is no longer kept")
    @APIResponse(responseCode = "503", description = "The dataset definition of the checkpoint could not be read from"
            + " ingest's registry; nothing was changed")
    public Response create(@RequestBody(description = "name and checkpoint id") CreateDeployment request,
                           @Context UriInfo uri) {
        if (request == null || request.name() == null || request.checkpoint() == null) {
            throw Problem.of(Response.Status.BAD_REQUEST, "'name' and 'checkpoint' are required");
        }
        Deployment created = published(change(() -> deployments.create(request.name(), request.checkpoint())));
        return Response.created(uri.getAbsolutePathBuilder().path(created.name()).build()).entity(created).build();
    }

    /** Swaps the model between two batches: each request is answered once, by the old checkpoint or the new. */
    @RolesAllowed(Roles.WRITE)
    @PUT
    @Path("/{name}/checkpoint")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Serve another checkpoint", description = "Swaps the model between two batches: each"
            + " request is answered once, by the old checkpoint or the new")
    @APIResponse(responseCode = "200", description = "The deployment, now serving the checkpoint")
    @APIResponse(responseCode = "400", description = "No checkpoint named")
    @APIResponse(responseCode = "404", description = "No deployment of this name, or no evaluated checkpoint of this id")
    @APIResponse(responseCode = "422", description = "The checkpoint's model is no longer kept")
    @APIResponse(responseCode = "503", description = "The dataset definition of the checkpoint could not be read from"
            + " ingest's registry; nothing was changed")
    public Deployment point(@Parameter(description = NAME) @PathParam("name") String name,
                            @RequestBody(description = "the checkpoint id to serve") PointDeployment request) {
        if (request == null || request.checkpoint() == null) {
            throw Problem.of(Response.Status.BAD_REQUEST, "'checkpoint' is required");
        }
        return published(change(() -> deployments.point(name, request.checkpoint())));
    }

    /** Back to the checkpoint served before the last change. */
    @RolesAllowed(Roles.WRITE)
    @POST
    @Path("/{name}/rollback")
    @Operation(summary = "Roll back", description = "Back to the checkpoint served before the last change")
    @APIResponse(responseCode = "200", description = "The deployment, serving the previous checkpoint again")
    @APIResponse(responseCode = "404", description = "No deployment of this name")
    @APIResponse(responseCode = "409", description = "Nothing to roll back to")
    @APIResponse(responseCode = "503", description = "The dataset definition of the checkpoint could not be read from"
            + " ingest's registry; nothing was changed")
    public Deployment rollback(@Parameter(description = NAME) @PathParam("name") String name) {
        return published(change(() -> deployments.rollback(name)));
    }

    /** From now on a newly evaluated checkpoint that wins on the promotion holdout replaces the champion. */
    @RolesAllowed(Roles.WRITE)
    @PUT
    @Path("/{name}/policy")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Set the promotion policy", description = "A metric the evaluator computes, a minimum"
            + " improvement in its units and the evaluation set (the promotion holdout): a newly evaluated checkpoint"
            + " of the same dataset and labels that beats the deployment's checkpoint by the margin on the holdout"
            + " replaces it (docs/serving.md#promotion)")
    @APIResponse(responseCode = "200", description = "The deployment with its policy")
    @APIResponse(responseCode = "400", description = "No metric, an unknown one, a negative margin or another"
            + " evaluation set")
    @APIResponse(responseCode = "404", description = "No deployment of this name")
    @APIResponse(responseCode = "422", description = "The dataset of the checkpoint it serves has no promotion holdout")
    public Deployment setPolicy(@Parameter(description = NAME) @PathParam("name") String name,
                                @RequestBody(description = "metric, minImprovement, evaluationSet") SetPolicy request) {
        if (request == null) {
            throw Problem.of(Response.Status.BAD_REQUEST, "a policy is required: {\"metric\": \"macro_f1\","
                    + " \"minImprovement\": 0.01}");
        }
        return change(() -> deployments.setPolicy(name, PromotionPolicy.of(request.metric(),
                request.minImprovement(), request.evaluationSet())));
    }

    @RolesAllowed(Roles.WRITE)
    @DELETE
    @Path("/{name}/policy")
    @Operation(summary = "Remove the promotion policy", description = "No checkpoint replaces the deployment's on"
            + " its own any more; its history stays")
    @APIResponse(responseCode = "200", description = "The deployment without a policy")
    @APIResponse(responseCode = "404", description = "No deployment of this name")
    public Deployment clearPolicy(@Parameter(description = NAME) @PathParam("name") String name) {
        return change(() -> deployments.clearPolicy(name));
    }

    /** From now on the champion is retrained on request, or also for each newer build of its dataset. */
    @RolesAllowed(Roles.WRITE)
    @PUT
    @Path("/{name}/retraining")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Set the retraining policy", description = "trigger 'new-build': each build of the"
            + " champion's dataset prepared after the champion's own (a continuous dataset's next version, a dataset"
            + " sealed again) starts a training job with the champion's settings; 'on-request': only POST .../retrain"
            + " does. warmStart 'champion' (default) starts from the champion's weights, 'base' from the pretrained"
            + " model its line began with (docs/serving.md#retraining)")
    @APIResponse(responseCode = "200", description = "The deployment with its retraining policy")
    @APIResponse(responseCode = "400", description = "No trigger, or an unknown trigger or warm start")
    @APIResponse(responseCode = "404", description = "No deployment of this name")
    public Deployment setRetraining(@Parameter(description = NAME) @PathParam("name") String name,
                                    @RequestBody(description = "trigger, warmStart") SetRetraining request) {
        if (request == null) {
            throw Problem.of(Response.Status.BAD_REQUEST, "a retraining policy is required: {\"trigger\":"
                    + " \"new-build\", \"warmStart\": \"champion\"}");
        }
        RetrainingPolicy policy = change(() -> RetrainingPolicy.of(request.trigger(), request.warmStart()));
        Deployment changed = change(() -> retraining.setPolicy(name, policy));
        if (policy.onNewBuilds()) {
            builds.ensureRunning();
        }
        return changed;
    }

    @RolesAllowed(Roles.WRITE)
    @DELETE
    @Path("/{name}/retraining")
    @Operation(summary = "Remove the retraining policy", description = "No job retrains the champion on its own any"
            + " more; POST .../retrain still does")
    @APIResponse(responseCode = "200", description = "The deployment without a retraining policy")
    @APIResponse(responseCode = "404", description = "No deployment of this name")
    public Deployment clearRetraining(@Parameter(description = NAME) @PathParam("name") String name) {
        return change(() -> deployments.clearRetraining(name));
    }

    /** Submits a job that retrains the champion now, on its dataset's newest build when the trainer starts it. */
    @RolesAllowed(Roles.WRITE)
    @POST
    @Path("/{name}/retrain")
    @Operation(summary = "Retrain now", description = "Puts a training job on the jobs topic: the champion's dataset"
            + " (the trainer pins its newest build when it starts the job) and hyperparameters, warm-started from the"
            + " champion or from the base model; its checkpoints are evaluated, and a promotion policy decides whether"
            + " one replaces the champion")
    @APIResponse(responseCode = "202", description = "The job, on the jobs topic; follow it at the trainer's"
            + " /jobs/{jobId}")
    @APIResponse(responseCode = "400", description = "An unknown warm start")
    @APIResponse(responseCode = "404", description = "No deployment of this name")
    @APIResponse(responseCode = "422", description = "The champion's evaluation does not say how it was trained, or"
            + " its line's base model is unknown")
    @APIResponse(responseCode = "503", description = "Kafka did not take the job in time; nothing was submitted")
    public Response retrain(@Parameter(description = NAME) @PathParam("name") String name,
                            @RequestBody(description = "warmStart (optional); no body at all is fine")
                            String body) {
        Retrain request = readRetrain(body);
        try {
            TrainingJob job = retraining.requestNow(name, request == null ? null : request.warmStart());
            return Response.accepted(job).build();
        } catch (ServingException e) {
            throw problem(e);
        } catch (IllegalStateException e) {
            throw Problem.of(Response.Status.SERVICE_UNAVAILABLE, e.getMessage() + "; try again");
        }
    }

    /** Read by hand: a POST with no body, hence no content type, must work too (a typed body would get 415). */
    private Retrain readRetrain(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return json.readValue(body, Retrain.class);
        } catch (JsonProcessingException e) {
            throw Problem.of(Response.Status.BAD_REQUEST, JsonBodyProblem.describe(e)
                    + " (the body is JSON such as {\"warmStart\": \"base\"}, or empty)");
        }
    }

    @RolesAllowed(Roles.READ)
    @GET
    @Path("/{name}/history")
    @Operation(summary = "Promotion history", description = "Every challenger judged under the deployment's policy,"
            + " oldest first: promoted or kept out, with both scores on the evaluation set and why")
    @APIResponse(responseCode = "200", description = "The decisions, as on the promotions topic")
    @APIResponse(responseCode = "404", description = "No deployment of this name")
    public List<PromotionDecision> history(@Parameter(description = NAME) @PathParam("name") String name) {
        get(name);
        return history.of(name);
    }

    private static <T> T change(Supplier<T> change) {
        try {
            return change.get();
        } catch (ServingException e) {
            throw problem(e);
        }
    }

    static WebApplicationException problem(ServingException e) {
        return switch (e.kind()) {
            case INVALID_NAME, INVALID_POLICY, INVALID_CORRECTION -> Problem.of(Response.Status.BAD_REQUEST,
                    e.getMessage());
            case UNKNOWN_DEPLOYMENT, UNKNOWN_CHECKPOINT -> Problem.of(Response.Status.NOT_FOUND, e.getMessage());
            case ALREADY_EXISTS, NOTHING_TO_ROLL_BACK -> Problem.of(Response.Status.CONFLICT, e.getMessage());
            case MODEL_NOT_KEPT, NO_HOLDOUT, CANNOT_RETRAIN -> Problem.unprocessable(e.getMessage());
            case REGISTRY_UNAVAILABLE -> Problem.of(Response.Status.SERVICE_UNAVAILABLE, e.getMessage());
        };
    }
}

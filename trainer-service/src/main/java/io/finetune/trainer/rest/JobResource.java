package io.finetune.trainer.rest;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.finetune.contracts.Directories;
import io.finetune.contracts.DatasetShards;
import io.finetune.contracts.Hyperparameters;
import io.finetune.contracts.InvalidSettingsException;
import io.finetune.contracts.Json;
import io.finetune.contracts.SafeNames;
import io.finetune.contracts.ShardReader;
import io.finetune.contracts.TrainingJob;
import io.finetune.contracts.TrainingSettings;
import io.finetune.service.rest.BodyLimit;
import io.finetune.service.rest.JsonBodyProblem;
import io.finetune.service.rest.Problem;
import io.finetune.trainer.domain.JobRegistry;
import io.finetune.trainer.domain.JobStatus;
import io.finetune.trainer.domain.JobWorker;
import io.finetune.trainer.domain.TrainingDevice;
import io.finetune.trainer.messaging.TrainerOutput;
import io.finetune.trainer.training.JobPlanner;
import io.finetune.trainer.training.UnrunnableJobException;
import io.smallrye.common.annotation.Blocking;
import io.finetune.service.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Training jobs over REST. A submission is checked (dataset prepared, model found, hyperparameters sane) and then
 * published to the jobs topic, so REST and Kafka submissions take the same path.
 */
@Path("/jobs")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Jobs", description = "Fine-tuning jobs: submit one, follow it, cancel it (docs/training.md)")
@Blocking
public class JobResource {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(JobResource.class);
    private final JobRegistry registry;
    private final JobWorker worker;
    private final TrainerOutput output;
    private final ShardReader shards;
    private final JobPlanner planner;
    private final TrainingDevice device;

    public JobResource(JobRegistry registry, JobWorker worker, TrainerOutput output,
                       TrainingDevice device, ShardReader shards) {
        this.registry = registry;
        this.worker = worker;
        this.device = device;
        this.output = output;
        this.shards = shards;
        this.planner = worker.planner();
    }

    /**
     * A job as submitted. {@code others} collects every other top-level key, so that a misplaced or misspelt field
     * (say {@code learning_rate} beside {@code hyperparameters} instead of inside it) is refused instead of ignored.
     * The settings are read here rather than by the body reader, which would turn their problems into a bare 400.
     */
    public record SubmitJob(String dataset, String baseModel,
                            @Schema(implementation = Hyperparameters.class) JsonNode hyperparameters,
                            @Schema(description = "An earlier job's id: its hyperparameters, as it was submitted,"
                                    + " fill in those this job leaves out") String settingsFrom,
                            @JsonAnySetter @Schema(hidden = true) Map<String, Object> others) {
        static final List<String> FIELDS = List.of("dataset", "baseModel", "hyperparameters", "settingsFrom");

        Hyperparameters settings() {
            if (hyperparameters == null || hyperparameters.isNull()) {
                return null;
            }
            try {
                return Json.MAPPER.treeToValue(hyperparameters, Hyperparameters.class);
            } catch (InvalidSettingsException e) {
                throw Problem.unprocessable(e.reason());
            } catch (JsonProcessingException e) {
                throw Problem.unprocessable(JsonBodyProblem.describe(e, "hyperparameters"));
            }
        }
    }

    @RolesAllowed(Roles.WRITE)
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @BodyLimit("job")
    @Operation(summary = "Submit a fine-tuning job", description = "Plans the job as the worker will run it (dataset"
            + " prepared, base model found, settings within bounds) and queues it, pinned to the dataset build it was"
            + " planned on (its 'build'). The answer is the job's status; GET /jobs/{jobId} follows it, and its"
            + " progress events go to finetune.training.progress.")
    @APIResponse(responseCode = "202", description = "Accepted and queued; Location names the job",
            headers = @Header(name = "Location", description = "/jobs/{jobId}"),
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = JobStatus.class)))
    @APIResponse(responseCode = "400", description = "'dataset' is missing or not a safe name")
    @APIResponse(responseCode = "404", description = "The dataset is not prepared (yet): seal it in ingest-service and"
            + " wait until preprocess-service reports it READY")
    @APIResponse(responseCode = "422", description = "The job cannot run: its base model cannot be found or"
            + " downloaded (the detail says why, where it looked and how to provide it), its checkpoint (baseModel"
            + " checkpoint:<id>) is unknown or does not fit the dataset (tokenizer, labels), its settingsFrom job is"
            + " unknown, the dataset does not fit the model, a setting is out of bounds or unknown, training would not fit in the device's memory (the"
            + " detail says how much it needs, how much there is and what to lower), or a field is not part of a job")
    public Response submit(@RequestBody(description = "The dataset to train on; baseModel (a Hugging Face id, a"
            + " directory, distilbert-tiny, scratch, or checkpoint:<checkpointId> to warm-start from a checkpoint),"
            + " hyperparameters (Hugging Face TrainingArguments names are read too) and settingsFrom (an earlier job"
            + " whose settings fill in the ones left out) are optional") SubmitJob request) {
        if (request == null || !SafeNames.isSafe(request.dataset())) {
            throw Problem.of(Response.Status.BAD_REQUEST, "'dataset' must name a prepared dataset");
        }
        if (request.others() != null && !request.others().isEmpty()) {
            throw Problem.unprocessable(request.others().keySet().stream().map(key -> "'" + key + "' is not a field"
                    + " of a job (" + String.join(", ", SubmitJob.FIELDS) + ")" + (TrainingSettings.byName(key)
                    .isPresent() ? ": training settings go inside 'hyperparameters'" : ""))
                    .collect(java.util.stream.Collectors.joining("; ")));
        }
        TrainingJob submitted = new TrainingJob(TrainingJob.VERSION, newJobId(), request.dataset(),
                request.baseModel(), request.settings(), Instant.now(), request.settingsFrom());
        DatasetShards data = shards.read(request.dataset()).orElseThrow(() -> Problem.of(Response.Status.NOT_FOUND,
                "dataset '" + request.dataset() + "' is not prepared (yet): seal it in ingest-service and wait until"
                        + " preprocess-service reports it READY"));
        TrainingJob job;
        try { // on the build planned on: the job trains on it, whatever is prepared before it starts or resumes
            job = plan(submitted.onBuild(data.manifest().build()), data);
        } catch (UnrunnableJobException e) {
            throw Problem.unprocessable(e.getMessage());
        }
        output.submit(job);
        return Response.accepted(registry.get(job.jobId())
                        .orElse(JobStatus.queued(job, planner.baseModelOf(job), "submitted")))
                .location(URI.create("/jobs/" + job.jobId())).build();
    }

    @RolesAllowed(Roles.READ)
    @GET
    @Operation(summary = "List jobs", description = "Every job this replica knows, newest first, in any state")
    @APIResponse(responseCode = "200", description = "The jobs, newest first")
    public List<JobStatus> list() {
        return registry.all();
    }

    @RolesAllowed(Roles.READ)
    @GET
    @Path("/{jobId}")
    @Operation(summary = "Where a job stands", description = "Its state and message; while QUEUED, its place in this"
            + " replica's queue and the job it waits for; while RUNNING, step, loss, speed and ETA; its checkpoints")
    @APIResponse(responseCode = "200", description = "The job's status")
    @APIResponse(responseCode = "404", description = "No job with this id")
    public JobStatus get(@Parameter(description = "The job's id, as POST /jobs answered it") @PathParam("jobId")
                         String jobId) {
        return registry.get(jobId).orElseThrow(() -> Problem.of(Response.Status.NOT_FOUND, "no job " + jobId));
    }

    @RolesAllowed(Roles.WRITE)
    @DELETE
    @Path("/{jobId}")
    @Operation(summary = "Cancel a job", description = "A queued job leaves the queue and ends CANCELLED at once; a"
            + " running one stops at its next step and then ends CANCELLED. Either way its progress topic says so.")
    @APIResponse(responseCode = "200", description = "Cancelled: the job was waiting and never runs",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = JobStatus.class)))
    @APIResponse(responseCode = "202", description = "The job is running: it stops at its next step (or it was"
            + " waiting and the broker has not acknowledged its CANCELLED event within 10 s: CANCELLED follows)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = JobStatus.class)))
    @APIResponse(responseCode = "404", description = "No job with this id")
    @APIResponse(responseCode = "409", description = "The job has finished already")
    public Response cancel(@Parameter(description = "The job's id, as POST /jobs answered it") @PathParam("jobId")
                           String jobId) {
        JobStatus status = get(jobId);
        if (status.finished()) {
            throw Problem.of(Response.Status.CONFLICT, "job " + jobId + " has finished already: " + status.state());
        }
        JobStatus after = worker.cancel(jobId);
        return (after.finished() ? Response.ok(after) : Response.accepted(after)).build();
    }

    /**
     * Plans the job as the worker will (resolving its model into a scratch folder, discarded), so that what would
     * fail it is refused now with the reason.
     *
     * @return the job with its {@code settingsFrom} filled in: what goes onto the jobs topic, so the settings it
     *         runs with are those checked now, whichever replica takes it
     */
    private TrainingJob plan(TrainingJob job, DatasetShards data) {
        java.nio.file.Path checkDir;
        try {
            checkDir = Files.createTempDirectory("job-check-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return planner.plan(job, data, checkDir, device.device()).job();
        } finally {
            try {
                Directories.delete(checkDir);
            } catch (UncheckedIOException e) {
                LOG.warnf("could not delete %s: %s", checkDir, e.getMessage());
            }
        }
    }

    private static String newJobId() {
        return "job-" + UUID.randomUUID().toString().substring(0, 8);
    }
}

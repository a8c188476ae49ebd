package io.finetune.preprocess.rest;

import io.finetune.preprocess.domain.DatasetRegistry;
import io.finetune.preprocess.domain.DatasetStatus;
import io.finetune.service.rest.Problem;
import io.finetune.service.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/** Where each dataset stands: receiving, preparing, ready (manifest summary and cleaning report) or failed. */
@Path("/datasets")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Datasets", description = "Sealed datasets being prepared for training: cleaning, split, tokenization")
public class DatasetResource {
    private final DatasetRegistry registry;

    public DatasetResource(DatasetRegistry registry) {
        this.registry = registry;
    }

    @RolesAllowed(Roles.READ)
    @GET
    @Operation(summary = "List datasets", description = "Every dataset this instance received, in any state")
    @APIResponse(responseCode = "200", description = "The datasets")
    public List<DatasetStatus> all() {
        return registry.all();
    }

    @RolesAllowed(Roles.READ)
    @GET
    @Path("/{name}")
    @Operation(summary = "Where a dataset stands", description = "RECEIVING, PREPARING, READY (with the manifest"
            + " summary and the cleaning report) or FAILED (with the reason)")
    @APIResponse(responseCode = "200", description = "The dataset's status")
    @APIResponse(responseCode = "404", description = "No dataset of this name was received by this instance")
    public DatasetStatus status(@Parameter(description = "The dataset's name, as created in ingest-service")
                                @PathParam("name") String name) {
        DatasetStatus status = registry.status(name);
        if (status == null) {
            throw Problem.of(Response.Status.NOT_FOUND, "no dataset named '" + name + "' was received by this"
                    + " instance");
        }
        return status;
    }
}

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

import java.util.List;

/** Where each dataset stands: receiving, preparing, ready (manifest summary and cleaning report) or failed. */
@Path("/datasets")
@Produces(MediaType.APPLICATION_JSON)
public class DatasetResource {
    private final DatasetRegistry registry;

    public DatasetResource(DatasetRegistry registry) {
        this.registry = registry;
    }

    @RolesAllowed(Roles.READ)
    @GET
    public List<DatasetStatus> all() {
        return registry.all();
    }

    @RolesAllowed(Roles.READ)
    @GET
    @Path("/{name}")
    public DatasetStatus status(@PathParam("name") String name) {
        DatasetStatus status = registry.status(name);
        if (status == null) {
            throw Problem.of(Response.Status.NOT_FOUND, "no dataset named '" + name + "' was received by this"
                    + " instance");
        }
        return status;
    }
}

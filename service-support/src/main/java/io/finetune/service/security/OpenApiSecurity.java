package io.finetune.service.security;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

import java.util.ArrayList;
import java.util.List;

/**
 * The OpenAPI document's second way in. Quarkus declares the {@value #API_KEY} scheme (header {@code X-API-Key}) from
 * {@code quarkus.smallrye-openapi.security-scheme} and gives every {@code @RolesAllowed} operation the requirement
 * {@code apiKey: [its roles]}; this filter adds the {@value #BEARER} scheme ({@code Authorization: Bearer}, an API
 * key or an OIDC access token) and, beside each such requirement, the same roles under {@value #BEARER}: either
 * header will do.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.RUNTIME_STARTUP)
public class OpenApiSecurity implements OASFilter {
    public static final String API_KEY = "apiKey";
    public static final String BEARER = "bearer";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null) {
            openAPI.setComponents(OASFactory.createComponents());
        }
        openAPI.getComponents().addSecurityScheme(BEARER, OASFactory.createSecurityScheme()
                .type(SecurityScheme.Type.HTTP).scheme("bearer")
                .description("An API key, or an OIDC access token whose scope or roles claim names finetune:read or "
                        + "finetune:write (the names are configurable; docs/security.md)"));
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        for (PathItem path : openAPI.getPaths().getPathItems().values()) {
            if (path.getOperations() == null) {
                continue;
            }
            for (Operation operation : path.getOperations().values()) {
                List<SecurityRequirement> requirements = operation.getSecurity();
                if (requirements == null) {
                    continue;
                }
                List<SecurityRequirement> both = new ArrayList<>(requirements);
                for (SecurityRequirement requirement : requirements) {
                    List<String> roles = requirement.getScheme(API_KEY);
                    if (roles != null && !requirement.hasScheme(BEARER)) {
                        both.add(OASFactory.createSecurityRequirement().addScheme(BEARER, roles));
                    }
                }
                operation.setSecurity(both);
            }
        }
    }
}

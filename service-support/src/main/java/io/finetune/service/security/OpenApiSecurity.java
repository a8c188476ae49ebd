package io.finetune.service.security;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import io.smallrye.config.SmallRyeConfig;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The OpenAPI document's other ways in. Quarkus declares the {@value #API_KEY} scheme (header {@code X-API-Key}) from
 * {@code quarkus.smallrye-openapi.security-scheme} and gives every {@code @RolesAllowed} operation the requirement
 * {@code apiKey: [its roles]}; this filter adds the {@value #BEARER} scheme ({@code Authorization: Bearer}, an API
 * key or an OIDC access token) and, beside each such requirement, the same roles under {@value #BEARER}: either
 * header will do. With an OIDC issuer configured it also declares the {@value #OIDC} scheme (the issuer's discovery
 * document) with the scopes that grant each role, as configured.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.RUNTIME_STARTUP)
public class OpenApiSecurity implements OASFilter {
    public static final String API_KEY = "apiKey";
    public static final String BEARER = "bearer";
    public static final String OIDC = "oidc";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        // A filter is made by SmallRye OpenAPI, not CDI: the configuration is read directly.
        AuthConfig.Oidc oidc = ConfigProvider.getConfig().unwrap(SmallRyeConfig.class)
                .getConfigMapping(AuthConfig.class).oidc();
        Map<String, String> scopes = Map.of(Roles.READ, oidc.readRole(), Roles.WRITE, oidc.writeRole());
        if (openAPI.getComponents() == null) {
            openAPI.setComponents(OASFactory.createComponents());
        }
        openAPI.getComponents().addSecurityScheme(BEARER, OASFactory.createSecurityScheme()
                .type(SecurityScheme.Type.HTTP).scheme("bearer")
                .description("An API key, or an OIDC access token whose scope or roles claim names "
                        + oidc.readRole() + " or " + oidc.writeRole() + " (docs/security.md)"));
        oidc.issuer().ifPresent(issuer -> openAPI.getComponents().addSecurityScheme(OIDC,
                OASFactory.createSecurityScheme().type(SecurityScheme.Type.OPENIDCONNECT)
                        .openIdConnectUrl(issuer.replaceAll("/+$", "") + "/.well-known/openid-configuration")
                        .description("An access token from " + issuer + ", sent as Authorization: Bearer")));
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
                        if (oidc.issuer().isPresent()) {
                            both.add(OASFactory.createSecurityRequirement().addScheme(OIDC,
                                    roles.stream().map(role -> scopes.getOrDefault(role, role)).toList()));
                        }
                    }
                }
                operation.setSecurity(both);
            }
        }
    }
}

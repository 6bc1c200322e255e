package dev.modelyard.server.http;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.info.License;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/** The OpenAPI description of the management API (served at /q/openapi, copied to docs/openapi). */
@OpenAPIDefinition(
        info = @Info(title = "Modelyard API", version = "1",
                description = "Model registry and over-the-air deployment of ML models to edge devices. "
                        + "Errors are RFC 9457 application/problem+json documents.",
                license = @License(name = "Apache-2.0")),
        security = @SecurityRequirement(name = ApiDocumentation.SCHEME))
@SecurityScheme(securitySchemeName = ApiDocumentation.SCHEME, type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "An API token issued by an admin (POST /api/v1/tokens): Authorization: Bearer <token>")
public class ApiDocumentation extends Application {

    static final String SCHEME = "apiToken";
}

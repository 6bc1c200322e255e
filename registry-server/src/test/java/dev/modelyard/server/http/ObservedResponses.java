package dev.modelyard.server.http;

import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ResourceInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Test-only: records the operation and status of every response a resource method gave, one
 * line {@code METHOD \t /path/{template} \t status \t raw path} per response, in the file the
 * surefire execution names ({@value #FILE_PROPERTY}); {@link ApiContractCheck} compares them with
 * the OpenAPI document afterwards. The template is the matched resource method's, built from its
 * {@code @Path} annotations as the document builds it, never guessed from the raw path.
 */
public class ObservedResponses {

    static final String FILE_PROPERTY = "api-contract.observations";
    /** Requests carrying this header are not recorded; see {@link OpenApiFuzzTest} for why. */
    static final String SKIP_HEADER = "X-Not-Observed";

    @ServerResponseFilter
    public void record(ContainerRequestContext request, ContainerResponseContext response, ResourceInfo resource) {
        String file = System.getProperty(FILE_PROPERTY);
        Method method = resource == null ? null : resource.getResourceMethod();
        if (file == null || method == null || request.getHeaderString(SKIP_HEADER) != null) return;
        String verb = verb(method);
        if (verb == null) return;
        Path classPath = resource.getResourceClass().getAnnotation(Path.class);
        Path methodPath = method.getAnnotation(Path.class);
        String template = ApiResponsesFilter.template(classPath == null ? "" : classPath.value(),
                methodPath == null ? "" : methodPath.value());
        String line = verb + "\t" + template + "\t" + response.getStatus() + "\t"
                + request.getUriInfo().getRequestUri().getRawPath() + "\n";
        append(java.nio.file.Path.of(file), line);
    }

    private static String verb(Method method) {
        for (Annotation a : method.getAnnotations()) {
            HttpMethod designator = a.annotationType().getAnnotation(HttpMethod.class);
            if (designator != null) return designator.value();
        }
        return null;
    }

    private static synchronized void append(java.nio.file.Path file, String line) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

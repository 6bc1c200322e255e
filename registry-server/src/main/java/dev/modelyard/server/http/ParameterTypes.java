package dev.modelyard.server.http;

import dev.modelyard.server.error.ErrorCode;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.UriInfo;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.UUID;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/** Finds which path or query value the REST layer could not convert to its parameter's type, and says so. */
final class ParameterTypes {

    private ParameterTypes() {
    }

    /** The first path or query parameter of the matched method whose value does not convert; null if none. */
    static ApiException firstUnconvertible(UriInfo uri, ResourceInfo resource) {
        Method method = resource == null ? null : resource.getResourceMethod();
        if (method == null || uri == null) return null;
        for (Parameter p : method.getParameters()) {
            String name = null;
            String value = null;
            if (p.getAnnotation(QueryParam.class) != null || p.getAnnotation(RestQuery.class) != null) {
                name = queryName(p);
                value = uri.getQueryParameters().getFirst(name);
            } else if (p.getAnnotation(PathParam.class) != null || p.getAnnotation(RestPath.class) != null) {
                PathParam pp = p.getAnnotation(PathParam.class);
                name = pp != null ? pp.value() : p.getAnnotation(RestPath.class).value().isEmpty() ? p.getName()
                        : p.getAnnotation(RestPath.class).value();
                value = uri.getPathParameters().getFirst(name);
            } else if (p.getAnnotation(HeaderParam.class) != null) {
                continue;
            }
            if (name != null && value != null && !converts(value, p.getType())) {
                // In a path it names something that cannot exist: not found, as JAX-RS has it; in a
                // query it is a bad parameter.
                boolean inPath = p.getAnnotation(PathParam.class) != null || p.getAnnotation(RestPath.class) != null;
                String detail = name + ": '" + shorten(value) + "' is not " + describe(p.getType());
                return inPath
                        ? ApiException.parameter(ErrorCode.NOT_FOUND, name, detail + ", so nothing has it")
                        : ApiException.parameter(ErrorCode.INVALID_PARAMETER, name, detail);
            }
        }
        return null;
    }

    private static String queryName(Parameter p) {
        QueryParam q = p.getAnnotation(QueryParam.class);
        if (q != null) return q.value();
        String v = p.getAnnotation(RestQuery.class).value();
        return v.isEmpty() ? p.getName() : v;
    }

    static boolean converts(String value, Class<?> type) {
        try {
            if (type == int.class || type == Integer.class) Integer.parseInt(value);
            else if (type == long.class || type == Long.class) Long.parseLong(value);
            else if (type == short.class || type == Short.class) Short.parseShort(value);
            else if (type == double.class || type == Double.class) Double.parseDouble(value);
            else if (type == UUID.class) UUID.fromString(value);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String describe(Class<?> type) {
        if (type == int.class || type == Integer.class) return "a whole number from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE;
        if (type == long.class || type == Long.class) return "a whole number from " + Long.MIN_VALUE + " to " + Long.MAX_VALUE;
        if (type == UUID.class) return "a UUID";
        return ProblemMappers.JsonProblems.expected(type).replace("a string", "text");
    }

    private static String shorten(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "…" : s;
    }
}

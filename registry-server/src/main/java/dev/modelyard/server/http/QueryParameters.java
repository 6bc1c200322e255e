package dev.modelyard.server.http;

import dev.modelyard.server.error.UnknownNameException;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.UriInfo;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses query parameters a management API operation does not take, so {@code ?arhc=aarch64}
 * is a 400 naming {@code arhc} instead of an artifact silently stored for any architecture. The
 * accepted names come from the resource method itself (its {@code @QueryParam}s, also those of
 * its parameter holder classes), so they cannot drift from what the method reads. Only
 * {@value #MANAGEMENT_API} is checked: the DDI API stays as lenient as hawkBit, whose stock
 * clients send parameters Modelyard does not know.
 */
public class QueryParameters {

    static final String MANAGEMENT_API = "/api/v1";

    /** Per resource method: the query parameters it takes, or empty when it is not checked. */
    private final ConcurrentMap<Method, Optional<Set<String>>> accepted = new ConcurrentHashMap<>();

    @ServerRequestFilter
    public void refuseUnknown(UriInfo uri, ResourceInfo resource) {
        Method method = resource.getResourceMethod();
        if (method == null) return;
        Optional<Set<String>> names = accepted.computeIfAbsent(method,
                m -> isManagementApi(resource.getResourceClass())
                        ? Optional.of(accepted(resource.getResourceClass(), m)) : Optional.empty());
        if (names.isEmpty()) return;
        for (String given : uri.getQueryParameters().keySet()) {
            if (!names.get().contains(given)) throw UnknownNameException.queryParameter(given, names.get());
        }
    }

    private static boolean isManagementApi(Class<?> resourceClass) {
        for (Class<?> c = resourceClass; c != null && c != Object.class; c = c.getSuperclass()) {
            Path path = c.getAnnotation(Path.class);
            if (path != null) {
                String p = path.value().startsWith("/") ? path.value() : "/" + path.value();
                return p.equals(MANAGEMENT_API) || p.startsWith(MANAGEMENT_API + "/");
            }
        }
        return false;
    }

    /** The names of the query parameters a resource method takes, its own and its resource class's fields'. */
    static Set<String> accepted(Class<?> resourceClass, Method method) {
        Set<String> names = new TreeSet<>();
        for (Parameter p : method.getParameters()) {
            collect(p, p.getName(), p.getType(), names);
        }
        holder(resourceClass, names);
        return Set.copyOf(names);
    }

    /**
     * Adds the query parameter an element (method parameter, field or setter) stands for, or
     * those of the holder class it stands for: one marked {@code @BeanParam}, or an unannotated
     * one, which RESTEasy Reactive also treats as a holder when its fields are annotated.
     */
    private static void collect(AnnotatedElement element, String name, Class<?> type, Set<String> names) {
        QueryParam query = element.getAnnotation(QueryParam.class);
        RestQuery restQuery = element.getAnnotation(RestQuery.class);
        if (query != null) {
            names.add(query.value());
        } else if (restQuery != null) {
            names.add(restQuery.value().isEmpty() ? name : restQuery.value());
        } else if (element.isAnnotationPresent(BeanParam.class) || element.getAnnotations().length == 0) {
            holder(type, names);
        }
    }

    private static void holder(Class<?> type, Set<String> names) {
        if (type.isPrimitive() || type.isArray() || type.getName().startsWith("java.")) return;
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (annotated(f)) collect(f, f.getName(), f.getType(), names);
            }
            for (Method m : c.getDeclaredMethods()) {
                if (annotated(m) && m.getParameterCount() == 1) {
                    collect(m, propertyName(m.getName()), m.getParameterTypes()[0], names);
                }
            }
        }
    }

    /** Only annotated members of a holder are parameters; the rest is its own business. */
    private static boolean annotated(AnnotatedElement e) {
        for (Annotation a : e.getAnnotations()) {
            if (a instanceof QueryParam || a instanceof RestQuery || a instanceof BeanParam) return true;
        }
        return false;
    }

    private static String propertyName(String setter) {
        String n = setter.startsWith("set") && setter.length() > 3 ? setter.substring(3) : setter;
        return Character.toLowerCase(n.charAt(0)) + n.substring(1);
    }
}

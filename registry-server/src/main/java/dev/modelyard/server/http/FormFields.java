package dev.modelyard.server.http;

import dev.modelyard.server.error.UnknownNameException;
import jakarta.ws.rs.FormParam;
import java.lang.reflect.Field;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.server.multipart.MultipartFormDataInput;

/**
 * Refuses form fields a form holder class does not bind, as unknown JSON fields are refused: a
 * browser upload with a misspelled {@code arhc} field must not store an artifact for any
 * architecture. The accepted names are the holder's {@code @RestForm}/{@code @FormParam} fields.
 */
public final class FormFields {

    private static final ConcurrentMap<Class<?>, Set<String>> ACCEPTED = new ConcurrentHashMap<>();

    private FormFields() {
    }

    public static void refuseUnknown(MultipartFormDataInput form, Class<?> holder) {
        Set<String> accepted = ACCEPTED.computeIfAbsent(holder, FormFields::accepted);
        for (String name : new TreeSet<>(form.getValues().keySet())) {
            if (!accepted.contains(name)) throw UnknownNameException.field(name, accepted);
        }
    }

    private static Set<String> accepted(Class<?> holder) {
        Set<String> names = new TreeSet<>();
        for (Class<?> c = holder; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                RestForm rest = f.getAnnotation(RestForm.class);
                FormParam form = f.getAnnotation(FormParam.class);
                if (rest != null) names.add(rest.value().isEmpty() ? f.getName() : rest.value());
                else if (form != null) names.add(form.value());
            }
        }
        return Set.copyOf(names);
    }
}

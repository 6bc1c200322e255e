package dev.modelyard.e2e.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The settings the registry server reads, as environment variable names: every property of its
 * {@code @ConfigMapping} interfaces (read by reflection from the packaged server, so a renamed
 * setting is seen at once), every {@code @ConfigProperty} it injects, and the Quarkus keys its
 * application.properties sets or documents. A deployment file that sets anything else sets a
 * variable nobody reads: a typo, or a setting that was renamed.
 */
final class ServerSettings {

    /** Read by the JVM itself, not by the server's configuration. */
    static final Set<String> JVM_VARIABLES = Set.of("JAVA_TOOL_OPTIONS");

    private static final Pattern MAPPING = Pattern.compile("@ConfigMapping\\(prefix\\s*=\\s*\"([^\"]+)\"\\)");
    private static final Pattern PROPERTY = Pattern.compile("@ConfigProperty\\(name\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern PROPERTIES_KEY = Pattern.compile("^#?\\s*(?:%[\\w-]+\\.)?([a-z][\\w.\"-]*)\\s*=");

    private final Set<String> exact;
    private final Set<String> prefixes;

    private ServerSettings(Set<String> exact, Set<String> prefixes) {
        this.exact = exact;
        this.prefixes = prefixes;
    }

    static ServerSettings read(Path repository, Path quarkusApp) throws IOException {
        Set<String> keys = new TreeSet<>();
        Set<String> keyPrefixes = new TreeSet<>();
        Path sources = repository.resolve("registry-server/src/main/java");
        List<String> mappingClasses = new ArrayList<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String text = Files.readString(file);
                if (MAPPING.matcher(text).find()) {
                    mappingClasses.add(sources.relativize(file).toString().replace('/', '.').replaceAll("\\.java$", ""));
                }
                Matcher m = PROPERTY.matcher(text);
                while (m.find()) keys.add(m.group(1));
            }
        }
        if (mappingClasses.isEmpty()) throw new IllegalStateException("no @ConfigMapping found under " + sources);
        try (URLClassLoader loader = new URLClassLoader(jars(quarkusApp), ClassLoader.getPlatformClassLoader())) {
            Class<? extends Annotation> mapping = annotation(loader, "io.smallrye.config.ConfigMapping");
            for (String name : mappingClasses) {
                Class<?> type = Class.forName(name, false, loader);
                Annotation a = type.getAnnotation(mapping);
                if (a == null) throw new IllegalStateException(name + " has no @ConfigMapping in the packaged server: rebuild it");
                walk(type, (String) invoke(a, "prefix"), loader, keys, keyPrefixes);
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read the server's settings from " + quarkusApp + ": " + e, e);
        }
        for (String line : Files.readAllLines(repository.resolve("registry-server/src/main/resources/application.properties"))) {
            Matcher m = PROPERTIES_KEY.matcher(line.strip());
            if (m.find()) keys.add(m.group(1));
        }
        Set<String> env = new TreeSet<>();
        keys.forEach(k -> env.add(envName(k)));
        Set<String> envPrefixes = new TreeSet<>();
        keyPrefixes.forEach(k -> envPrefixes.add(envName(k)));
        return new ServerSettings(env, envPrefixes);
    }

    /** Quarkus' rule: every character that is not a letter or digit becomes {@code _}, then upper case. */
    static String envName(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    boolean reads(String variable) {
        if (exact.contains(variable) || JVM_VARIABLES.contains(variable)) return true;
        return prefixes.stream().anyMatch(variable::startsWith);
    }

    Set<String> names() {
        return exact;
    }

    private static void walk(Class<?> type, String prefix, ClassLoader loader, Set<String> keys, Set<String> keyPrefixes)
            throws ReflectiveOperationException {
        Class<? extends Annotation> withName = annotation(loader, "io.smallrye.config.WithName");
        Class<? extends Annotation> withParentName = annotation(loader, "io.smallrye.config.WithParentName");
        for (Method m : type.getMethods()) {
            if (m.getParameterCount() > 0 || m.isDefault() || Modifier.isStatic(m.getModifiers())) continue;
            Annotation named = m.getAnnotation(withName);
            String key = m.getAnnotation(withParentName) != null ? prefix
                    : prefix + "." + (named != null ? (String) invoke(named, "value") : kebab(m.getName()));
            Type generic = m.getGenericReturnType();
            Class<?> raw = m.getReturnType();
            if (raw == Optional.class) {
                generic = argument(generic, 0);
                raw = raw(generic);
            }
            if (Map.class.isAssignableFrom(raw)) {
                keyPrefixes.add(key + ".");
            } else if (Collection.class.isAssignableFrom(raw) && isGroup(raw(argument(generic, 0)))) {
                keyPrefixes.add(key + "[");
            } else if (isGroup(raw)) {
                walk(raw, key, loader, keys, keyPrefixes);
            } else {
                keys.add(key);
            }
        }
    }

    /** A nested group of settings: an interface of the server's own (not a JDK or Quarkus value type). */
    private static boolean isGroup(Class<?> type) {
        return type.isInterface() && type.getName().startsWith("dev.modelyard.");
    }

    private static Type argument(Type type, int index) {
        if (type instanceof ParameterizedType p) return p.getActualTypeArguments()[index];
        throw new IllegalStateException(type + " has no type argument");
    }

    private static Class<?> raw(Type type) {
        if (type instanceof Class<?> c) return c;
        if (type instanceof ParameterizedType p) return (Class<?>) p.getRawType();
        throw new IllegalStateException("unexpected type " + type);
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    @SuppressWarnings("unchecked")
    private static Class<? extends Annotation> annotation(ClassLoader loader, String name) throws ClassNotFoundException {
        return (Class<? extends Annotation>) Class.forName(name, false, loader);
    }

    private static Object invoke(Annotation a, String method) throws ReflectiveOperationException {
        return a.annotationType().getMethod(method).invoke(a);
    }

    private static URL[] jars(Path quarkusApp) throws IOException {
        List<URL> urls = new ArrayList<>();
        for (String dir : List.of("app", "lib/boot", "lib/main", "quarkus")) {
            Path d = quarkusApp.resolve(dir);
            if (!Files.isDirectory(d)) continue;
            try (Stream<Path> files = Files.list(d)) {
                for (Path jar : files.filter(f -> f.toString().endsWith(".jar")).sorted().toList()) urls.add(url(jar));
            }
        }
        if (urls.isEmpty()) throw new IllegalStateException("no jars in " + quarkusApp);
        return urls.toArray(URL[]::new);
    }

    private static URL url(Path jar) {
        try {
            return jar.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.modelyard.server.desiredstate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelyard.manifests.Kind;
import dev.modelyard.manifests.Manifest;
import dev.modelyard.manifests.ManifestError;
import dev.modelyard.manifests.Paths;
import dev.modelyard.server.auth.Permission;
import dev.modelyard.server.conversion.profile.ChainSpec;
import dev.modelyard.server.conversion.profile.ProfileApi;
import dev.modelyard.server.conversion.profile.ProfileService;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;

/**
 * Target profiles (conversion profiles). Profiles are editable, not versioned: apply replaces the
 * whole definition as the conversion API's PUT does, so a field the manifest leaves out takes its
 * default. The comparison is between normalized chains (defaults filled in by the conversion
 * package), so writing a default out or leaving it out is the same profile.
 */
@ApplicationScoped
class ProfileObjects implements ObjectKind {

    private static final List<String> FIELDS = List.of("description", "enabled", "steps", "target", "tolerance",
            "timeoutSeconds", "maxAttempts", "optimized");

    private final ProfileService profiles;
    private final ObjectMapper json;

    ProfileObjects(ProfileService profiles, ObjectMapper json) {
        this.profiles = profiles;
        this.json = json;
    }

    @Override
    public Kind kind() {
        return Kind.TARGET_PROFILE;
    }

    @Override
    public String readPermission() {
        return Permission.PROFILES_READ;
    }

    @Override
    public List<String> permissions(Plan.Change change, Manifest manifest) {
        return switch (change.action()) {
            case create -> List.of(Permission.PROFILES_CREATE);
            case update -> List.of(Permission.PROFILES_UPDATE);
            case delete -> List.of(Permission.PROFILES_DELETE);
            default -> List.of();
        };
    }

    @Override
    public void check(Manifest m, PlanContext context, List<ManifestError> errors) {
        try {
            desired(m, context);
        } catch (DomainException e) {
            String pointer = "/spec" + Paths.pointer(e.field());
            errors.add(m.errorAt(pointer, e.field() == null ? "spec: " + e.detail() : "spec." + e.detail()));
        } catch (IllegalArgumentException e) {
            errors.add(m.errorAt("/spec", "spec: " + rootMessage(e)));
        }
    }

    @Override
    public Plan.Change plan(Manifest m, Optional<ManagedObject> managed, PlanContext context) {
        Optional<ProfileApi.ProfileView> current = current(m.name());
        if (current.isEmpty()) return ObjectKind.change(m, Plan.Action.create, List.of(), null, null);
        ObjectNode actual = json.createObjectNode();
        ObjectNode all = json.valueToTree(current.get());
        FIELDS.forEach(f -> actual.set(f, all.get(f)));
        List<Plan.Difference> differences = Differences.between("spec", actual, desired(m, context));
        return ObjectKind.change(m, differences.isEmpty() ? Plan.Action.unchanged : Plan.Action.update, differences, null, null);
    }

    /** The profile as the server would hold it after apply: the chain normalized, defaults filled in. */
    private ObjectNode desired(Manifest m, PlanContext context) {
        ProfileApi.ProfileBody body = body(m);
        ChainSpec chain = profiles.normalize(new ChainSpec(body.steps(), body.target(), body.tolerance(), body.timeoutSeconds(),
                body.maxAttempts(), body.optimized()), context.actor().may(Permission.PROFILES_COMMAND));
        ObjectNode out = json.createObjectNode();
        out.set("description", body.description() == null ? null : json.getNodeFactory().textNode(body.description()));
        out.put("enabled", body.enabled() == null || body.enabled());
        ObjectNode c = json.valueToTree(chain);
        for (String f : List.of("steps", "target", "tolerance", "timeoutSeconds", "maxAttempts")) out.set(f, c.get(f));
        out.put("optimized", chain.optimizedResult());
        return out;
    }

    private ProfileApi.ProfileBody body(Manifest m) {
        ObjectNode spec = m.spec().deepCopy();
        spec.put("name", m.name());
        return json.convertValue(spec, ProfileApi.ProfileBody.class);
    }

    @Override
    public Plan.Change planDelete(ManagedObject o, PlanContext context) {
        if (current(o.name).isEmpty()) return ObjectKind.removal(o, Plan.Action.delete, null, "already deleted; no longer managed");
        return ObjectKind.removal(o, Plan.Action.delete, null, null);
    }

    @Override
    public void apply(Plan.Change change, Manifest m, PlanContext context) {
        boolean admin = context.actor().may(Permission.PROFILES_COMMAND);
        if (change.action() == Plan.Action.create) {
            profiles.create(body(m), admin, context.actor().name());
        } else {
            profiles.replace(m.name(), body(m), admin);
        }
    }

    @Override
    public void delete(Plan.Change change, PlanContext context) {
        if (current(change.name()).isPresent()) profiles.delete(change.name(), context.actor().may(Permission.PROFILES_COMMAND));
    }

    private Optional<ProfileApi.ProfileView> current(String name) {
        try {
            return Optional.of(PlanContext.read(() -> profiles.get(name)));
        } catch (DomainException e) {
            if (e.code() == ErrorCode.PROFILE_NOT_FOUND) return Optional.empty();
            throw e;
        }
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null && e.getCause() != e) e = e.getCause();
        return e.getMessage();
    }
}

package dev.modelyard.server.conversion.profile;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.server.conversion.ConvertingMachine;
import dev.modelyard.server.conversion.profile.ProfileApi.ProfileBody;
import dev.modelyard.server.conversion.profile.ProfileApi.ProfileView;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.http.Names;
import dev.modelyard.server.tenant.TenantContext;
import dev.modelyard.server.tenant.Tenants;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Target profiles: validation and storage. Profiles with command steps execute programs on the
 * server, so only admins may create, change or delete them, and outside the default tenant only
 * when the operator has named the allowed programs.
 */
@ApplicationScoped
public class ProfileService {

    private static final int MAX_DESCRIPTION = 4096;

    private final ObjectMapper json;
    private final ModelyardConfig config;
    private final Clock clock;
    private final TenantContext tenants;

    public ProfileService(ObjectMapper json, ModelyardConfig config, Clock clock, TenantContext tenants) {
        this.json = json;
        this.config = config;
        this.clock = clock;
        this.tenants = tenants;
    }

    /** A stored profile as the job queue uses it. */
    public record Profile(long id, String name, ChainSpec chain) {
    }

    /** Checks a chain and fills its defaults; BAD_REQUEST saying what is wrong, FORBIDDEN for command steps without admin. */
    public ChainSpec normalize(ChainSpec chain, boolean admin) {
        ChainSpec normalized;
        try {
            normalized = chain.normalize(config.conversion(), ConvertingMachine.local());
        } catch (IllegalArgumentException e) {
            throw DomainException.field(ErrorCode.BAD_REQUEST, fieldOf(e.getMessage()), e.getMessage());
        }
        if (normalized.hasCommand() && !admin) {
            throw DomainException.of(ErrorCode.FORBIDDEN, "command steps run programs on the server: only admins may define them");
        }
        if (normalized.hasCommand() && !commandsAllowedHere()) {
            throw DomainException.of(ErrorCode.COMMANDS_NOT_ALLOWED, "command steps run programs on the shared server: "
                    + "this tenant may define them only once the server operator sets modelyard.conversion.allowed-commands; "
                    + "ask the operator, or use built-in converters");
        }
        return normalized;
    }

    @Transactional
    public ProfileView create(ProfileBody body, boolean admin, String by) {
        if (body == null) throw DomainException.of(ErrorCode.MISSING_BODY, "request body is required");
        Names.require("name", body.name());
        if (find(body.name()).isPresent()) throw DomainException.of(ErrorCode.ALREADY_EXISTS, "profile '" + body.name() + "' already exists");
        ConversionProfile p = new ConversionProfile();
        p.name = body.name();
        p.createdAt = clock.instant();
        p.createdBy = by;
        apply(p, body, admin);
        try {
            p.persistAndFlush();
        } catch (PersistenceException e) {
            throw DomainException.of(ErrorCode.CONCURRENT_REQUEST, "profile '" + body.name() + "' was created at the same time; retry");
        }
        return view(p);
    }

    /** Replaces a profile's definition (the name in the body, if any, must match). */
    @Transactional
    public ProfileView replace(String name, ProfileBody body, boolean admin) {
        if (body == null) throw DomainException.of(ErrorCode.MISSING_BODY, "request body is required");
        if (body.name() != null && !body.name().equals(name)) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "name", "name: '" + body.name() + "' differs from the profile's name '" + name + "'");
        }
        ConversionProfile p = require(name);
        requireAdminFor(p, admin);
        apply(p, body, admin);
        return view(p);
    }

    @Transactional
    public void delete(String name, boolean admin) {
        ConversionProfile p = require(name);
        requireAdminFor(p, admin);
        p.delete();
    }

    @Transactional
    public ProfileView get(String name) {
        return view(require(name));
    }

    @Transactional
    public List<ProfileView> list() {
        return ConversionProfile.<ConversionProfile>list("order by name").stream().map(this::view).toList();
    }

    /** Enabled profiles, in name order; runs inside the caller's transaction. */
    public List<Profile> enabled() {
        return ConversionProfile.<ConversionProfile>list("enabled = true order by name")
                .stream().map(p -> new Profile(p.id, p.name, chain(p))).toList();
    }

    /** A profile by name for a request; PROFILE_NOT_FOUND when unknown, CONFLICT when disabled. */
    public Profile requireEnabled(String name) {
        ConversionProfile p = require(name);
        if (!p.enabled) throw DomainException.of(ErrorCode.CONFLICT, "profile '" + name + "' is disabled");
        return new Profile(p.id, p.name, chain(p));
    }

    private void apply(ConversionProfile p, ProfileBody body, boolean admin) {
        ChainSpec chain = normalize(body.chain(), admin);
        if (body.description() != null && body.description().length() > MAX_DESCRIPTION) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "description", "description: at most " + MAX_DESCRIPTION + " characters");
        }
        p.description = body.description();
        p.enabled = body.enabled() == null || body.enabled();
        p.spec = json.convertValue(chain, new TypeReference<Map<String, Object>>() { });
        p.hasCommand = chain.hasCommand();
        p.updatedAt = clock.instant();
    }

    private static final Pattern FIELD_PATH = Pattern.compile("[A-Za-z][A-Za-z0-9_]*(\\[\\d+])?(\\.[A-Za-z][A-Za-z0-9_]*(\\[\\d+])?)*");

    /**
     * The JSON path a chain refusal names ({@code "steps[1].command[0]: must be …"} → steps[1].command[0]), so
     * a form can show it at its field; null when the message names none.
     */
    static String fieldOf(String message) {
        if (message == null) return null;
        int colon = message.indexOf(": ");
        if (colon <= 0) return null;
        String path = message.substring(0, colon);
        return FIELD_PATH.matcher(path).matches() ? path : null;
    }

    /**
     * Any absolute path is accepted only for the default tenant, whose admins operate the server;
     * a program run for another tenant could read the server's secrets, so there only the
     * operator's list of programs (checked per step when normalizing) makes commands possible.
     */
    private boolean commandsAllowedHere() {
        return Tenants.DEFAULT.equals(tenants.current()) || config.conversion().allowedCommands().isPresent();
    }

    private static void requireAdminFor(ConversionProfile p, boolean admin) {
        if (p.hasCommand && !admin) {
            throw DomainException.of(ErrorCode.FORBIDDEN, "profile '" + p.name + "' has command steps: only admins may change or delete it");
        }
    }

    private ChainSpec chain(ConversionProfile p) {
        return json.convertValue(p.spec, ChainSpec.class);
    }

    private ProfileView view(ConversionProfile p) {
        ChainSpec c = chain(p);
        return new ProfileView(p.name, p.description, p.enabled, c.steps(), c.target(), c.tolerance(), c.timeoutSeconds(),
                c.maxAttempts(), c.optimizedResult(), p.createdAt, p.updatedAt, p.createdBy);
    }

    private static Optional<ConversionProfile> find(String name) {
        return ConversionProfile.find("name", name).firstResultOptional();
    }

    private static ConversionProfile require(String name) {
        return find(name).orElseThrow(() -> DomainException.of(ErrorCode.PROFILE_NOT_FOUND, "no conversion profile '" + name + "'"));
    }
}

package dev.modelyard.server.gitsync;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelyard.server.auth.RoleService;
import dev.modelyard.server.database.DatabaseFailures;
import dev.modelyard.server.desiredstate.DesiredStateService;
import dev.modelyard.server.desiredstate.Options;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.http.Names;
import dev.modelyard.server.http.Page;
import dev.modelyard.server.lease.Leases;
import dev.modelyard.server.tenant.TenantContext;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.PersistenceException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Git sources of the current tenant: their definitions (checked here, whoever calls) and the status
 * the sync's passes write. Who may create a source with which role is the caller's business
 * ({@code mayHold}): a source acts with its role's permissions, so its creator must hold them all.
 */
@ApplicationScoped
public class GitSources {

    static final Duration MIN_INTERVAL = Duration.ofSeconds(10);
    static final Duration MAX_INTERVAL = Duration.ofHours(24);
    private static final Set<String> SCHEMES = Set.of("https", "http", "file");
    private static final Pattern BRANCH = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,199}");
    private static final Pattern USERNAME = Pattern.compile("[^\\x00-\\x1f:]{1,200}");
    private static final TypeReference<List<GitSourceApi.Drift>> DRIFT = new TypeReference<>() {
    };
    private static final TypeReference<List<GitSourceApi.Conflict>> CONFLICTS = new TypeReference<>() {
    };
    private static final TypeReference<GitSourceApi.Attempt> ATTEMPT = new TypeReference<>() {
    };

    private final TenantContext tenants;
    private final RoleService roles;
    private final DesiredStateService desired;
    private final GitSyncConfig config;
    private final GitRepositories repositories;
    private final SecretRefs secrets;
    private final ObjectMapper json;
    private final Clock clock;

    GitSources(TenantContext tenants, RoleService roles, DesiredStateService desired, GitSyncConfig config,
               GitRepositories repositories, SecretRefs secrets, ObjectMapper json, Clock clock) {
        this.repositories = repositories;
        this.secrets = secrets;
        this.tenants = tenants;
        this.roles = roles;
        this.desired = desired;
        this.config = config;
        this.json = json;
        this.clock = clock;
    }

    /** The source of the managed objects a git source applies: {@code git:<name>}. */
    static String sourceOf(String name) {
        return Options.GIT + name;
    }

    public Page<GitSourceApi.SourceView> list(io.quarkus.panache.common.Page page) {
        String tenant = tenants.current();
        return QuarkusTransaction.requiringNew().call(() -> {
            var query = GitSource.<GitSource>find("order by name").page(page);
            List<GitSource> found = query.list();
            long total = query.count();
            return new Page<>(found.stream().map(s -> view(tenant, s)).toList(), page.index, page.size, total);
        });
    }

    public GitSourceApi.SourceView get(String name) {
        String tenant = tenants.current();
        return view(tenant, QuarkusTransaction.requiringNew().call(() -> source(name)));
    }

    /**
     * Creates a source; its first pass is due at once.
     *
     * @param mayHold whether the caller holds a permission (every permission of the source's role must pass)
     */
    public GitSourceApi.SourceView create(GitSourceApi.SourceBody body, String by, Predicate<String> mayHold) {
        if (body == null) throw DomainException.of(ErrorCode.MISSING_BODY, "a body with the source's name, url and role is required");
        String name = Names.require("name", body.name());
        String tenant = tenants.current();
        Definition d = definition(body, mayHold);
        Instant now = clock.instant();
        GitSource s = new GitSource();
        s.name = name;
        d.writeTo(s);
        s.createdAt = now;
        s.createdBy = by;
        s.updatedAt = now;
        s.status = "pending";
        s.drift = "[]";
        s.conflicts = "[]";
        s.nextSyncAt = now;
        s.requestedAt = now;
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                if (GitSource.named(name).isPresent()) throw exists(name);
                s.persist();
            });
        } catch (PersistenceException e) {
            if (DatabaseFailures.isUniqueViolation(e)) throw exists(name);
            throw e;
        }
        return view(tenant, s);
    }

    /** Replaces a source's definition (its status stays); a pass is due at once, so a new branch or path applies now. */
    public GitSourceApi.SourceView update(String name, GitSourceApi.SourceBody body, Predicate<String> mayHold) {
        if (body == null) throw DomainException.of(ErrorCode.MISSING_BODY, "a body with the source's url and role is required");
        if (body.name() != null && !body.name().equals(name)) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "name", "name: a source cannot be renamed (delete it and create another)");
        }
        String tenant = tenants.current();
        Definition d = definition(body, mayHold);
        GitSource updated = QuarkusTransaction.requiringNew().call(() -> {
            GitSource s = source(name);
            d.writeTo(s);
            s.updatedAt = clock.instant();
            s.requestedAt = clock.instant();
            return s;
        });
        return view(tenant, updated);
    }

    /** Deletes a source; the objects it managed stay as they are, managed by no one (see {@link DesiredStateService#release}). */
    public void delete(String name) {
        String tenant = tenants.current();
        long id = QuarkusTransaction.requiringNew().call(() -> {
            GitSource s = source(name);
            s.delete();
            return s.id;
        });
        desired.release(tenant, sourceOf(name));
        repositories.forget(tenant, id);
    }

    /** Asks for a pass now: any replica's sync takes it up (this one's at once, see {@link GitSync#request}). */
    GitSourceApi.SourceView requestSync(String name) {
        String tenant = tenants.current();
        GitSource s = QuarkusTransaction.requiringNew().call(() -> {
            GitSource found = source(name);
            found.requestedAt = clock.instant();
            return found;
        });
        return view(tenant, s);
    }

    public Page<GitSourceApi.ManagedObject> objects(String name, io.quarkus.panache.common.Page page) {
        String tenant = tenants.current();
        QuarkusTransaction.requiringNew().run(() -> source(name));
        Page<DesiredStateService.ManagedView> managed = desired.managed(tenant, sourceOf(name), page);
        return new Page<>(managed.items().stream()
                .map(o -> new GitSourceApi.ManagedObject(o.kind(), o.name(), o.revision(), o.appliedAt())).toList(),
                managed.page(), managed.size(), managed.total());
    }

    private GitSource source(String name) {
        return GitSource.named(name).orElseThrow(() -> DomainException.of(ErrorCode.GIT_SOURCE_NOT_FOUND, "no git source named '" + name + "'"));
    }

    private static DomainException exists(String name) {
        return DomainException.of(ErrorCode.ALREADY_EXISTS, "a git source named '" + name + "' exists");
    }

    GitSourceApi.SourceView view(String tenant, GitSource s) {
        GitSourceApi.Credentials credentials = s.username == null && s.passwordRef == null ? null
                : new GitSourceApi.Credentials(s.username, s.passwordRef);
        return new GitSourceApi.SourceView(s.name, s.url, s.branch, s.path, s.interval, credentials, s.webhookSecretRef,
                WebhookResource.PATH + "/" + tenant + "/" + s.name, s.driftPolicy, s.prune, s.role, s.createdAt, s.createdBy,
                s.updatedAt, s.status, s.lastSyncedCommit, s.lastSyncedAt, read(s.lastAttempt, ATTEMPT),
                read(s.drift, DRIFT), read(s.conflicts, CONFLICTS), desired.countManaged(tenant, sourceOf(s.name)), s.nextSyncAt);
    }

    // ---- the definition ---------------------------------------------------------------------------

    /** A checked definition, ready to be written into a source. */
    private record Definition(String url, String branch, String path, String interval, long intervalSeconds, String username,
                              String passwordRef, String webhookSecretRef, String driftPolicy, boolean prune, String role) {

        void writeTo(GitSource s) {
            s.url = url;
            s.branch = branch;
            s.path = path;
            s.interval = interval;
            s.intervalSeconds = intervalSeconds;
            s.username = username;
            s.passwordRef = passwordRef;
            s.webhookSecretRef = webhookSecretRef;
            s.driftPolicy = driftPolicy;
            s.prune = prune;
            s.role = role;
        }
    }

    private Definition definition(GitSourceApi.SourceBody b, Predicate<String> mayHold) {
        String url = url(b.url());
        String branch = b.branch() == null ? "main" : b.branch();
        if (!BRANCH.matcher(branch).matches() || branch.contains("..") || branch.endsWith("/") || branch.endsWith(".lock")) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "branch", "branch: '" + branch + "' is not a branch name");
        }
        String path = path(b.path());
        String interval = b.interval() == null ? "1m" : b.interval();
        Duration every = interval(interval);
        String username = null;
        String passwordRef = null;
        if (b.credentials() != null) {
            username = b.credentials().username();
            passwordRef = secrets.validate("credentials.passwordRef", b.credentials().passwordRef());
            if (passwordRef == null) {
                throw DomainException.field(ErrorCode.MISSING_FIELD, "credentials.passwordRef",
                        "credentials.passwordRef: required with credentials (env:NAME or file:/path)");
            }
            if (username == null || !USERNAME.matcher(username).matches()) {
                throw DomainException.field(ErrorCode.INVALID_FIELD, "credentials.username",
                        "credentials.username: required with credentials, 1 to 200 characters, no ':'");
            }
        }
        String webhookSecretRef = secrets.validate("webhookSecretRef", b.webhookSecretRef());
        String drift = b.driftPolicy() == null ? "flag" : b.driftPolicy();
        if (!drift.equals("revert") && !drift.equals("flag")) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "driftPolicy", "driftPolicy: 'revert' or 'flag'", List.of("revert", "flag"));
        }
        String role = role(b.role(), mayHold);
        return new Definition(url, branch, path, interval, every.toSeconds(), username, passwordRef, webhookSecretRef, drift,
                Boolean.TRUE.equals(b.prune()), role);
    }

    private String url(String url) {
        if (url == null || url.isBlank()) throw DomainException.field(ErrorCode.MISSING_FIELD, "url", "url: the repository's URL is required");
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "url", "url: not a URL (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(scheme)) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "url", "url: https://, http:// or file:// (ssh and git:// are not supported)",
                    List.of("https", "http", "file"));
        }
        if (uri.getRawUserInfo() != null) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "url", "url: no credentials in the URL; give them by reference in credentials");
        }
        if (scheme.equals("file") && !config.allowFileUrls()) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "url", "url: file:// repositories are off on this server "
                    + "(they read the server's own disk; an operator turns them on with modelyard.gitsync.allow-file-urls)");
        }
        if (!scheme.equals("file") && (uri.getHost() == null || uri.getHost().isBlank())) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "url", "url: names no host");
        }
        if (url.length() > 2000) throw DomainException.field(ErrorCode.INVALID_FIELD, "url", "url: at most 2000 characters");
        return url;
    }

    /** The folder inside the repository, without leading or trailing slashes; "" is the root. */
    static String path(String path) {
        if (path == null) return "";
        String p = path.strip();
        while (p.startsWith("/")) p = p.substring(1);
        while (p.endsWith("/")) p = p.substring(0, p.length() - 1);
        for (String segment : p.isEmpty() ? new String[0] : p.split("/")) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..") || segment.chars().anyMatch(c -> c < 0x20 || c == '\\')) {
                throw DomainException.field(ErrorCode.INVALID_FIELD, "path", "path: a folder inside the repository, e.g. fleet/prod "
                        + "(no '.', '..', empty segments, backslashes or control characters)");
            }
        }
        if (p.length() > 500) throw DomainException.field(ErrorCode.INVALID_FIELD, "path", "path: at most 500 characters");
        return p;
    }

    static Duration interval(String interval) {
        Duration every;
        try {
            every = Leases.every(interval);
        } catch (DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "interval", "interval: a duration like 30s, 5m, 1h or PT1M");
        }
        if (every.compareTo(MIN_INTERVAL) < 0 || every.compareTo(MAX_INTERVAL) > 0) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "interval", "interval: between 10s and 24h");
        }
        return every;
    }

    /** The role must exist, and the caller must hold every one of its permissions: a source never acts beyond its creator. */
    private String role(String role, Predicate<String> mayHold) {
        Set<String> permissions = roles.require("role", role);
        List<String> lacking = permissions.stream().filter(mayHold.negate()).sorted().toList();
        if (!lacking.isEmpty()) {
            throw DomainException.of(ErrorCode.FORBIDDEN, "role: '" + role + "' holds permissions this token lacks (" + String.join(", ", lacking)
                    + "); a git source may act only within its creator's permissions");
        }
        return role;
    }

    /** A status column (JSON written by the sync's passes); null while there is none. */
    private <T> T read(String text, TypeReference<T> type) {
        if (text == null) return null;
        try {
            return json.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("git source status is not JSON", e);
        }
    }
}

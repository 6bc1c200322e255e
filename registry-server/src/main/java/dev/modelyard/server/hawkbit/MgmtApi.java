package dev.modelyard.server.hawkbit;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The bodies of hawkBit's Management API, field for field as hawkBit names them (times are epoch
 * milliseconds, links are {@code _links} with {@code href}). Only the fields Modelyard can fill
 * truthfully are present; see docs/hawkbit.md for the list.
 */
public final class MgmtApi {

    /** Where the Management API lives. */
    static final String BASE = dev.modelyard.server.http.ApiDocumentation.HAWKBIT_MGMT_PATH;

    /** hawkBit's times are epoch milliseconds. */
    static Long millis(Instant t) {
        return t == null ? null : t.toEpochMilli();
    }

    static Instant instant(Object o) {
        if (o instanceof Instant i) return i;
        if (o instanceof java.sql.Timestamp t) return t.toInstant();
        if (o instanceof java.time.OffsetDateTime t) return t.toInstant();
        throw new IllegalStateException("unexpected time value " + o);
    }

    private MgmtApi() {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "MgmtLink")
    public record Link(String href, String name) {
        static Link to(String href) {
            return new Link(href, null);
        }
    }

    /** hawkBit's paged list: {@code total} counts every match, {@code size} this page. */
    @Schema(name = "MgmtPagedList")
    public record PagedList<T>(List<T> content, long total, int size) {
        static <T> PagedList<T> of(List<T> content, long total) {
            return new PagedList<>(content, total, content.size());
        }
    }

    /** A target as a client creates it (the body of {@code POST /targets} is an array of these). */
    @Schema(name = "MgmtTargetRequest")
    public record TargetRequest(String controllerId, String name, String description, String securityToken,
                                Boolean requestAttributes) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "MgmtPollStatus")
    public record PollStatus(Long lastRequestAt, Long nextExpectedRequestAt, boolean overdue) {
    }

    /** {@code securityToken} is shown to admins, and only for tokens kept readable (see the package doc). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "MgmtTarget")
    public record Target(String createdBy, Long createdAt, String lastModifiedBy, Long lastModifiedAt, String name,
                         String description, String controllerId, String updateStatus, Long lastControllerRequestAt,
                         Long installedAt, PollStatus pollStatus, String securityToken, boolean requestAttributes,
                         @JsonProperty("_links") Map<String, Link> links) {
    }

    @Schema(name = "MgmtSoftwareModuleRequest")
    public record SoftwareModuleRequest(String name, String version, String type, String description, String vendor) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "MgmtSoftwareModule")
    public record SoftwareModule(String createdBy, Long createdAt, String lastModifiedBy, Long lastModifiedAt, String name,
                                 String description, long id, String version, String type, String typeName,
                                 String vendor, boolean encrypted, boolean locked, boolean deleted, Boolean complete,
                                 @JsonProperty("_links") Map<String, Link> links) {
    }

    @Schema(name = "MgmtHashes")
    public record Hashes(String sha1, String md5, String sha256) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "MgmtArtifact")
    public record Artifact(String createdBy, Long createdAt, String lastModifiedBy, Long lastModifiedAt, long id,
                           Hashes hashes, String providedFilename, long size,
                           @JsonProperty("_links") Map<String, Link> links) {
    }

    @Schema(name = "MgmtModuleRef")
    public record ModuleRef(Long id) {
    }

    @Schema(name = "MgmtDistributionSetRequest")
    public record DistributionSetRequest(String name, String version, String description, String type,
                                         List<ModuleRef> modules, Boolean requiredMigrationStep) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "MgmtDistributionSet")
    public record DistributionSet(String createdBy, Long createdAt, String lastModifiedBy, Long lastModifiedAt, String name,
                                  String description, long id, String version, List<SoftwareModule> modules,
                                  boolean requiredMigrationStep, String type, String typeName, Boolean complete,
                                  boolean locked, boolean deleted, boolean valid,
                                  @JsonProperty("_links") Map<String, Link> links) {
    }

    /** One element of {@code POST /distributionsets/{id}/assignedTargets}. */
    @Schema(name = "MgmtTargetAssignment")
    public record TargetAssignment(String id, String type, Long forcetime, Integer weight, Boolean confirmationRequired,
                                   MaintenanceWindow maintenanceWindow) {
    }

    /** The body of {@code POST /targets/{id}/assignedDS} (one object or an array of them). */
    @Schema(name = "MgmtDistributionSetAssignment")
    public record DistributionSetAssignment(Long id, String type, Long forcetime, Integer weight,
                                            Boolean confirmationRequired, MaintenanceWindow maintenanceWindow) {
    }

    /**
     * hawkBit's maintenance window of an assignment: {@code schedule} a Quartz cron expression
     * (with seconds), {@code duration} {@code HH:mm:ss}, {@code timezone} an offset such as
     * {@code +01:00}.
     */
    @Schema(name = "MgmtMaintenanceWindow")
    public record MaintenanceWindow(String schedule, String duration, String timezone) {
    }

    @Schema(name = "MgmtActionRef")
    public record ActionRef(long id, @JsonProperty("_links") Map<String, Link> links) {
    }

    /**
     * {@code failed} (a Modelyard extension): targets no file of the version fits; their actions are
     * created closed with an error and listed in {@code assignedActions}, but not counted as assigned.
     */
    @Schema(name = "MgmtAssignmentResult")
    public record AssignmentResult(int assigned, int alreadyAssigned, int failed, int total, List<ActionRef> assignedActions) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "MgmtAction")
    public record Action(String createdBy, Long createdAt, String lastModifiedBy, Long lastModifiedAt, String type,
                         boolean active, String status, String detailStatus, String forceType, long id,
                         Integer lastStatusCode, @JsonProperty("_links") Map<String, Link> links) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "MgmtActionStatus")
    public record ActionStatus(long id, String type, List<String> messages, long reportedAt, long timestamp, Integer code) {
    }

    @Schema(name = "MgmtTargetFilterRequest")
    public record TargetFilterRequest(String name, String query) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "MgmtTargetFilter")
    public record TargetFilter(String createdBy, Long createdAt, String lastModifiedBy, Long lastModifiedAt, long id,
                               String name, String query, @JsonProperty("_links") Map<String, Link> links) {
    }

    /** hawkBit's error body. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ExceptionInfo(String exceptionClass, String errorCode, String message, List<String> parameters) {
    }
}

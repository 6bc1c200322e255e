package dev.modelyard.server.desiredstate;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What applying a manifest set would do (or, after apply, did): one change per object, in the order
 * apply performs them (creates and updates by kind: models, profiles, groups, rollouts; then deletes
 * in the reverse order).
 */
public record Plan(String source, String revision, boolean prune, List<Change> changes) {

    /** What happens to one object. {@code conflict}: apply leaves it alone, and says why in {@code note}. */
    public enum Action {
        create, update, delete, unchanged, conflict
    }

    /**
     * @param devices for a rollout, how many devices its group or filter matches now
     * @param file    the manifest file that declares the object (absent for a pruned object)
     * @param line    the line of its document's {@code metadata.name}
     * @param managedBy the source that manages the object now (absent: none yet)
     * @param revision  the revision it was last applied from by that source
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Change(String kind, String name, Action action, List<Difference> differences,
                         @Schema(description = "For a rollout: how many devices its group or filter matches now") Long devices,
                         @Schema(description = "Why a conflict is one, or what else to know") String note,
                         String file, Integer line,
                         @Schema(description = "The source that manages the object now (`cli`, `git:<name>`); absent when none does")
                         String managedBy,
                         @Schema(description = "The revision (e.g. commit) the managing source last applied it from") String revision) {

        Change(String kind, String name, Action action, List<Difference> differences, Long devices, String note, String file, Integer line) {
            this(kind, name, action, differences, devices, note, file, line, null, null);
        }

        Change managed(ManagedObject o) {
            return new Change(kind, name, action, differences, devices, note, file, line, o.source, o.revision);
        }

        Change as(Action newAction, String newNote) {
            return new Change(kind, name, newAction, differences, devices, newNote, file, line, managedBy, revision);
        }
    }

    /** One field that differs: its dotted path in the manifest, what the server has, what the manifest says (left out: absent). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Difference(String path, JsonNode from, JsonNode to) {
    }

    /** Whether applying would change anything (conflicts change nothing, but are worth a look: they count). */
    public boolean hasChanges() {
        return changes.stream().anyMatch(c -> c.action() != Action.unchanged);
    }

    public long count(Action action) {
        return changes.stream().filter(c -> c.action() == action).count();
    }
}

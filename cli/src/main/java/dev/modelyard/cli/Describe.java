package dev.modelyard.cli;

import dev.modelyard.client.Artifacts;
import dev.modelyard.client.Devices;
import dev.modelyard.client.Models;
import dev.modelyard.client.Rollouts;
import dev.modelyard.client.Versions;
import dev.modelyard.wire.TargetDescriptor;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The human (table) views of single objects; JSON and YAML print the objects themselves. */
final class Describe {

    private Describe() {
    }

    static String target(TargetDescriptor t) {
        if (t == null) return null;
        List<String> parts = new ArrayList<>();
        parts.add(t.format());
        if (t.runtime() != null) parts.add(t.runtime() + (t.runtimeVersion() == null ? "" : " " + t.runtimeVersion()));
        parts.add(t.arch());
        parts.add(t.accelerator());
        parts.add(t.precision());
        if (!t.cpuFeatures().isEmpty()) parts.add(String.join("+", t.cpuFeatures()));
        if (t.minMemoryMb() != null) parts.add(">=" + t.minMemoryMb() + "MB");
        if (t.os() != null) parts.add(t.os());
        return parts.stream().filter(p -> p != null).collect(Collectors.joining(" "));
    }

    static String time(Instant i) {
        return i == null ? null : Io.time(i);
    }

    static String map(Map<String, ?> m) {
        if (m == null || m.isEmpty()) return null;
        return m.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }

    static String artifact(Artifacts.Artifact a) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"artifact", a.model() + " " + a.version() + " " + a.filename()});
        rows.add(new String[] {"id", String.valueOf(a.id())});
        rows.add(new String[] {"sha256", a.sha256()});
        rows.add(new String[] {"size", a.size() + " bytes (" + Progress.bytes(a.size()) + ")"});
        rows.add(new String[] {"target", target(a.target())});
        rows.add(new String[] {"origin", a.origin() + (a.optimized() ? ", optimized" : "")});
        if (a.lineage() != null) rows.add(new String[] {"converted", a.lineage().converter() + " from " + a.lineage().sourceArtifactId()});
        rows.add(new String[] {"created", time(a.createdAt()) + (a.createdBy() == null ? "" : " by " + a.createdBy())});
        return Table.details(rows);
    }

    static String model(Models.Model m) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"model", m.name()});
        rows.add(new String[] {"description", m.description()});
        rows.add(new String[] {"task", m.task()});
        rows.add(new String[] {"framework", m.framework()});
        rows.add(new String[] {"labels", map(m.labels())});
        rows.add(new String[] {"latest", m.latestVersion()});
        rows.add(new String[] {"aliases", map(m.aliases())});
        rows.add(new String[] {"created", time(m.createdAt()) + (m.createdBy() == null ? "" : " by " + m.createdBy())});
        rows.add(new String[] {"updated", time(m.updatedAt())});
        return Table.details(rows);
    }

    static String version(Versions.Version v, List<Artifacts.Artifact> artifacts) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"version", v.model() + " " + v.version()});
        rows.add(new String[] {"status", v.status()});
        rows.add(new String[] {"changelog", v.changelog()});
        rows.add(new String[] {"metrics", map(v.metrics())});
        rows.add(new String[] {"release counter", v.releaseCounter() == null ? null : v.releaseCounter().toString()});
        rows.add(new String[] {"self-test", v.selfTestSha256() == null ? "none" : "sha256 " + v.selfTestSha256()});
        rows.add(new String[] {"created", time(v.createdAt()) + (v.createdBy() == null ? "" : " by " + v.createdBy())});
        rows.add(new String[] {"published", time(v.publishedAt())});
        rows.add(new String[] {"artifacts", Long.toString(v.artifactCount())});
        String head = Table.details(rows);
        return artifacts == null || artifacts.isEmpty() ? head : head + "\n" + artifactTable(artifacts);
    }

    static String artifactTable(List<Artifacts.Artifact> artifacts) {
        Table t = Table.of("filename", "size", "target", "origin", "sha256");
        for (Artifacts.Artifact a : artifacts) {
            t.row(a.filename(), Progress.bytes(a.size()), target(a.target()), a.origin(), a.sha256().substring(0, 12));
        }
        return t.toString();
    }

    static String device(Devices.Device d) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"device", d.controllerId()});
        rows.add(new String[] {"name", d.name()});
        rows.add(new String[] {"description", d.description()});
        rows.add(new String[] {"status", d.status()});
        rows.add(new String[] {"tags", d.tags() == null ? null : String.join(", ", d.tags())});
        rows.add(new String[] {"last seen", time(d.lastSeenAt())});
        rows.add(new String[] {"created", time(d.createdAt())});
        String head = Table.details(rows);
        StringBuilder b = new StringBuilder(head);
        if (d.attributes() != null && !d.attributes().isEmpty()) {
            Table t = Table.of("attribute", "value");
            new java.util.TreeMap<>(d.attributes()).forEach(t::row);
            b.append('\n').append(t);
        }
        if (d.installed() != null && !d.installed().isEmpty()) {
            Table t = Table.of("model", "installed", "action", "at");
            for (Devices.Installed i : d.installed()) t.row(i.model(), i.version(), i.actionId(), time(i.installedAt()));
            b.append('\n').append(t);
        }
        return b.toString();
    }

    /** One line of a rollout's progress, as {@code rollout watch} prints it. */
    static String rolloutLine(Rollouts.Rollout r) {
        Rollouts.Counts c = r.counts();
        String phase = r.currentPhase() == null || r.phases() == null || r.phases().isEmpty() ? "-"
                : (r.currentPhase() + 1) + "/" + r.phases().size() + " " + r.phases().get(Math.min(r.currentPhase(), r.phases().size() - 1)).name();
        String counts = c == null ? "" : " succeeded " + c.succeeded() + " failed " + c.failed() + " running " + c.running()
                + " pending " + c.pending() + (c.rolledBack() + c.rollingBack() > 0 ? " rolled back " + (c.rolledBack() + c.rollingBack()) : "");
        return "rollout " + r.id() + " " + r.state() + " phase " + phase + " devices " + (r.totalDevices() == null ? "-" : r.totalDevices())
                + counts + (r.stateReason() == null ? "" : " (" + r.stateReason() + ")");
    }

    static String rollout(Rollouts.Rollout r) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"rollout", r.id() + " " + r.name()});
        rows.add(new String[] {"state", r.state() + (r.stateReason() == null ? "" : " (" + r.stateReason() + ")")});
        rows.add(new String[] {"version", r.model() + " " + r.version() + (r.requested() != null && !r.requested().equals(r.version()) ? " (" + r.requested() + ")" : "")});
        rows.add(new String[] {"devices", r.filter() != null ? "filter " + r.filter() : "group " + r.group()});
        rows.add(new String[] {"matched", r.totalDevices() == null ? null : r.totalDevices().toString()});
        rows.add(new String[] {"type", r.type()});
        if (r.failureBudget() != null) {
            Rollouts.FailureBudget f = r.failureBudget();
            rows.add(new String[] {"failure budget", f.maxFailurePct() + "% after " + f.minExecuted() + ", then " + f.onFailure()
                    + (f.burnPct() == null ? "" : "; burnt " + f.burnPct() + "%")});
        }
        if (r.counts() != null) {
            Rollouts.Counts c = r.counts();
            rows.add(new String[] {"counts", "pending " + c.pending() + ", running " + c.running() + ", succeeded " + c.succeeded()
                    + ", failed " + c.failed() + ", cancelled " + c.cancelled() + ", rolled back " + c.rolledBack()});
        }
        rows.add(new String[] {"created", time(r.createdAt()) + (r.createdBy() == null ? "" : " by " + r.createdBy())});
        rows.add(new String[] {"started", time(r.startedAt())});
        rows.add(new String[] {"finished", time(r.finishedAt())});
        StringBuilder b = new StringBuilder(Table.details(rows));
        if (r.phases() != null && !r.phases().isEmpty()) {
            Table t = Table.of("#", "phase", "size", "state", "devices", "success", "bake", "approval");
            int i = 0;
            for (Rollouts.Phase p : r.phases()) {
                t.row(i++ + 1, p.name(), p.size(), p.state(), p.devices(), p.successPct() == null ? null : p.successPct() + "%",
                        p.bake(), Boolean.TRUE.equals(p.approval()) ? (p.approvedBy() == null ? "needed" : "by " + p.approvedBy()) : null);
            }
            b.append('\n').append(t);
        }
        return b.toString();
    }
}

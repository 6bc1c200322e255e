package dev.modelyard.client;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/** The device inventory ({@code /api/v1/devices}). */
public final class Devices extends Area {

    public record NewDevice(String controllerId, String name, String description, Set<String> tags,
                            Map<String, String> attributes) {
        public static NewDevice of(String controllerId) {
            return new NewDevice(controllerId, null, null, null, null);
        }
    }

    /** A merge patch: fields left null are not changed. */
    public record DevicePatch(String name, String description, Set<String> tags) {
    }

    public record Installed(String model, String version, long actionId, Instant installedAt) {
    }

    /**
     * @param token the device's DDI token: only in the answer that created or rotated it, never again
     */
    public record Device(String controllerId, String name, String description, String status, Set<String> tags,
                         Map<String, String> attributes, java.util.List<Installed> installed, Instant lastSeenAt,
                         String tokenHint, Instant createdAt, Instant updatedAt, String createdBy, String token) {
    }

    /**
     * Filters of the device list; null means no filter. {@code q} is a device filter
     * ({@code attribute.arch==aarch64;tag==store}) or a bare controller id prefix.
     */
    public record Filter(String q, String tag, String status, Integer page, Integer size) {
    }

    Devices(Transport t) {
        super(t);
    }

    /** Registers a device; the answer carries its DDI token, shown this once. */
    public Device create(NewDevice device) {
        return t.call("POST", "/api/v1/devices", device, Device.class);
    }

    public Device get(String controllerId) {
        return t.get(Query.path("/api/v1/devices/{}", controllerId), Device.class);
    }

    public Page<Device> list(Filter f) {
        return t.page(Query.path("/api/v1/devices").param("q", f.q()).param("tag", f.tag()).param("status", f.status())
                .page(f.page(), f.size()), Device.class);
    }

    public Device update(String controllerId, DevicePatch patch) {
        return t.call("PATCH", Query.path("/api/v1/devices/{}", controllerId), patch, Device.class);
    }

    /** Issues a new DDI token; the old one stops working. */
    public Device rotateToken(String controllerId) {
        return t.call("POST", Query.path("/api/v1/devices/{}/token", controllerId), null, Device.class);
    }

    public void delete(String controllerId) {
        t.delete(Query.path("/api/v1/devices/{}", controllerId));
    }
}

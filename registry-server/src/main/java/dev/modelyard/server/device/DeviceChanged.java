package dev.modelyard.server.device;

/**
 * A device was registered or its attributes or tags changed: fired in the changing transaction,
 * for observers that act after it commits (dynamic rollouts re-evaluate their filters for it).
 */
public record DeviceChanged(String tenant, long deviceId) {
}

package dev.modelyard.device.push;

import java.util.Optional;

/**
 * Where the updater listens for push hints: the broker ({@code push.mqtt.url}, {@code tcp://} or
 * {@code ssl://}), the user name ({@code push.mqtt.username}, by default the controller id, which
 * a broker ACL can match with {@code %u}) and the password ({@code push.mqtt.password.file}).
 */
public record PushSettings(String url, String username, Optional<char[]> password) {

    public PushSettings {
        if (!url.startsWith("tcp://") && !url.startsWith("ssl://")) {
            throw new IllegalArgumentException("push.mqtt.url: '" + url + "' is not an MQTT address like tcp://broker:1883 or ssl://broker:8883");
        }
        if (username.isBlank()) throw new IllegalArgumentException("push.mqtt.username is empty");
    }

    /** The topic the server publishes this device's hints on. */
    public static String topic(String tenant, String controllerId) {
        return tenant + "/devices/" + controllerId + "/notify";
    }
}

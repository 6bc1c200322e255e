package dev.modelyard.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The device updater's local inference API, as an application on the device calls it. */
final class Device {

    private final URI infer;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    Device(int port) {
        this.infer = URI.create("http://127.0.0.1:" + port + "/v1/models/" + SampleModel.NAME + "/infer");
    }

    URI inferUri() {
        return infer;
    }

    /** The version that answered and the score of each species. */
    record Answer(String version, List<Double> scores) {
    }

    /** One inference; anything but a 200 with scores for every species is an exception saying what came back. */
    Answer infer(float[] features) throws IOException, InterruptedException {
        String body = Registry.JSON.writeValueAsString(SampleModel.request(features));
        HttpRequest request = HttpRequest.newBuilder(infer).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IOException("HTTP " + r.statusCode() + ": " + r.body());
        JsonNode answer = Registry.JSON.readTree(r.body());
        JsonNode data = answer.path("outputs").path(SampleModel.OUTPUT).path("data");
        if (!answer.hasNonNull("version") || data.size() != SampleModel.SPECIES.size()) {
            throw new IOException("an answer without a version or " + SampleModel.SPECIES.size() + " scores: " + r.body());
        }
        List<Double> scores = new ArrayList<>();
        data.forEach(v -> scores.add(v.asDouble()));
        return new Answer(answer.get("version").asText(), scores);
    }

    /** The version the device serves now, or null while it serves none (or is not up yet). */
    String serving() throws InterruptedException {
        try {
            return infer(SampleModel.SAMPLE).version();
        } catch (IOException none) {
            return null;
        }
    }
}

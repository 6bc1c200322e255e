package dev.modelyard.server.metrics;

import static io.restassured.RestAssured.given;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One scrape of {@code /q/metrics} in the Prometheus text format: series → value. */
record Scrape(Map<String, Double> series) {

    // Runs of plain characters are taken whole (possessively): a long label value (a request path
    // that matched no route, e.g. from the fuzz test) would otherwise recurse once per character.
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]++|\\\\.)*+)\"");

    static Scrape take() {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Map<String, Double> series = new TreeMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            int space = line.lastIndexOf(' ');
            series.put(key(line.substring(0, space)), Double.parseDouble(line.substring(space + 1)));
        }
        return new Scrape(series);
    }

    /** The value of a series, e.g. {@code value("modelyard_devices", "status", "pending")}; fails when absent. */
    double value(String name, String... labels) {
        String key = key(name, labels);
        Double v = series.get(key);
        if (v == null) throw new AssertionError("no series " + key + " in the scrape; it has " + names(name));
        return v;
    }

    boolean has(String name, String... labels) {
        return series.containsKey(key(name, labels));
    }

    private String names(String prefix) {
        return series.keySet().stream().filter(k -> k.startsWith(prefix)).toList().toString();
    }

    /** {@code name{a="1",b="2"}} with labels in name order, so either spelling of a series matches. */
    private static String key(String name, String... labels) {
        Map<String, String> sorted = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) sorted.put(labels[i], labels[i + 1]);
        return render(name, sorted);
    }

    private static String key(String series) {
        int brace = series.indexOf('{');
        if (brace < 0) return series;
        Map<String, String> labels = new TreeMap<>();
        Matcher m = LABEL.matcher(series.substring(brace + 1, series.lastIndexOf('}')));
        while (m.find()) labels.put(m.group(1), m.group(2));
        return render(series.substring(0, brace), labels);
    }

    private static String render(String name, Map<String, String> labels) {
        if (labels.isEmpty()) return name;
        StringBuilder b = new StringBuilder(name).append('{');
        labels.forEach((k, v) -> b.append(k).append("=\"").append(v).append("\","));
        return b.append('}').toString();
    }
}

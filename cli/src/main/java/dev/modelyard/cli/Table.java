package dev.modelyard.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The human view of a list: columns padded to their widest cell, a header in capitals, absent
 * values as {@code -}. The last column is not padded, so long values do not leave trailing blanks.
 */
public final class Table {

    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    private Table(List<String> header) {
        this.header = header;
    }

    public static Table of(String... header) {
        return new Table(Arrays.stream(header).map(h -> h.toUpperCase(java.util.Locale.ROOT)).toList());
    }

    public Table row(Object... cells) {
        if (cells.length != header.size()) throw new IllegalArgumentException("expected " + header.size() + " cells, got " + cells.length);
        rows.add(Arrays.stream(cells).map(Table::cell).toList());
        return this;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    static String cell(Object value) {
        if (value == null) return "-";
        String text = Objects.toString(value).replaceAll("\\s*\\R\\s*", " ");
        return text.isEmpty() ? "-" : text;
    }

    @Override
    public String toString() {
        int[] width = new int[header.size()];
        for (int i = 0; i < width.length; i++) width[i] = header.get(i).length();
        for (List<String> r : rows) for (int i = 0; i < width.length; i++) width[i] = Math.max(width[i], r.get(i).length());
        StringBuilder b = new StringBuilder();
        line(b, header, width);
        for (List<String> r : rows) line(b, r, width);
        return b.toString();
    }

    private static void line(StringBuilder b, List<String> cells, int[] width) {
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            b.append(c);
            if (i < cells.size() - 1) b.append(" ".repeat(width[i] - c.length() + 2));
        }
        b.append('\n');
    }

    /** Key-value lines for one object's detail view: keys padded to the longest. */
    public static String details(List<String[]> pairs) {
        int w = pairs.stream().mapToInt(p -> p[0].length()).max().orElse(0);
        StringBuilder b = new StringBuilder();
        for (String[] p : pairs) b.append(p[0]).append(':').append(" ".repeat(w - p[0].length() + 1)).append(cell(p[1])).append('\n');
        return b.toString();
    }
}

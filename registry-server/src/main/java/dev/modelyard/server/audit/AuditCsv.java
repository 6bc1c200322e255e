package dev.modelyard.server.audit;

import dev.modelyard.wire.audit.AuditEntry;
import dev.modelyard.wire.trust.CanonicalJson;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.LongFunction;

/**
 * The audit trail as CSV (RFC 4180): a header row, then one row per entry, written a batch at a time so a
 * trail of any length streams in constant memory. Text cells that a spreadsheet would run as a formula
 * (starting with =, +, -, @, tab or carriage return) get a leading apostrophe (OWASP's CSV injection advice).
 */
final class AuditCsv {

    static final String MEDIA_TYPE = "text/csv";
    static final List<String> COLUMNS = List.of("seq", "at", "actorId", "actorName", "action", "targetType", "targetId",
            "outcome", "requestId", "source", "before", "after", "prevHash", "hash");

    private AuditCsv() {
    }

    /** Writes the header and every batch {@code next(afterSeq)} returns until one comes back empty. */
    static void write(OutputStream out, LongFunction<List<AuditEntry>> next) throws IOException {
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        w.write(String.join(",", COLUMNS));
        w.write("\r\n");
        long after = 0;
        while (true) {
            List<AuditEntry> batch = next.apply(after);
            if (batch.isEmpty()) break;
            for (AuditEntry e : batch) {
                row(w, e);
                after = e.seq();
            }
            w.flush();
        }
        w.flush();
    }

    static void row(Writer w, AuditEntry e) throws IOException {
        w.write(Long.toString(e.seq()));
        w.write(',');
        w.write(AuditEntry.formatAt(e.at()));
        for (String text : new String[] {e.actorId(), e.actorName(), e.action(), e.targetType(), e.targetId()}) {
            w.write(',');
            w.write(cell(text));
        }
        w.write(',');
        w.write(Integer.toString(e.outcome()));
        for (String text : new String[] {e.requestId(), e.source(), json(e.before()), json(e.after()), e.prevHash(), e.hash()}) {
            w.write(',');
            w.write(cell(text));
        }
        w.write("\r\n");
    }

    /**
     * One text cell: neutralised against formulas, quoted when it holds a comma, a semicolon or a tab (spreadsheets
     * in locales whose list separator is ';', such as German Excel, split there), a quote or a line break.
     */
    static String cell(String value) {
        if (value == null || value.isEmpty()) return "";
        String v = value;
        char first = v.charAt(0);
        if (first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r') v = "'" + v;
        boolean quote = v.indexOf(',') >= 0 || v.indexOf(';') >= 0 || v.indexOf('\t') >= 0 || v.indexOf('"') >= 0
                || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0;
        return quote ? '"' + v.replace("\"", "\"\"") + '"' : v;
    }

    private static String json(Object value) {
        return value == null ? null : CanonicalJson.toCompactString(value);
    }
}

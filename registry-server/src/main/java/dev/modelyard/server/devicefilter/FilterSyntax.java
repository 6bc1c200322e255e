package dev.modelyard.server.devicefilter;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The filter language's grammar (RSQL/FIQL, as hawkBit users write it), parsed by hand so every
 * refusal can name the offset of the token at fault:
 *
 * <pre>
 * filter     = or
 * or         = and { ( "," | "or" ) and }
 * and        = term { ( ";" | "and" ) term }
 * term       = "(" or ")" | comparison
 * comparison = selector operator ( value | "(" value { "," value } ")" )
 * operator   = "==" | "!=" | "=lt=" | "<" | "=le=" | "<=" | "=gt=" | ">" | "=ge=" | ">=" | "=in=" | "=out="
 * value      = unquoted | "'" … "'" | '"' … '"'     (backslash escapes the next character in quotes)
 * </pre>
 *
 * An unquoted value or selector runs until whitespace or one of {@code ( ) ; , = ! < > ' "}; a
 * value holding any of those is quoted. {@code and}/{@code or} are keywords only between terms.
 */
final class FilterSyntax {

    static final int MAX_LENGTH = 4096;
    static final int MAX_DEPTH = 10;
    static final int MAX_COMPARISONS = 100;
    static final int MAX_VALUES = 500;

    /** The operators as written; each has a canonical spelling. */
    enum Op {
        EQ("=="), NE("!="), LT("=lt="), LE("=le="), GT("=gt="), GE("=ge="), IN("=in="), OUT("=out=");

        final String spelling;

        Op(String spelling) {
            this.spelling = spelling;
        }

        boolean ordering() {
            return this == LT || this == LE || this == GT || this == GE;
        }

        boolean list() {
            return this == IN || this == OUT;
        }

        String sql() {
            return switch (this) {
                case EQ -> "=";
                case NE -> "<>";
                case LT -> "<";
                case LE -> "<=";
                case GT -> ">";
                case GE -> ">=";
                case IN, OUT -> throw new IllegalStateException("a list operator has no single SQL comparison");
            };
        }

        static Op of(String written) {
            return switch (written) {
                case "==" -> EQ;
                case "!=" -> NE;
                case "=lt=", "<" -> LT;
                case "=le=", "<=" -> LE;
                case "=gt=", ">" -> GT;
                case "=ge=", ">=" -> GE;
                case "=in=" -> IN;
                case "=out=" -> OUT;
                default -> null;
            };
        }

        static final List<String> ACCEPTED = List.of("==", "!=", "=lt=", "<", "=le=", "<=", "=gt=", ">", "=ge=", ">=", "=in=", "=out=");
    }

    sealed interface Node permits And, Or, Comparison {
    }

    record And(List<Node> parts) implements Node {
        @Override
        public String toString() {
            return "and" + parts;
        }
    }

    record Or(List<Node> parts) implements Node {
        @Override
        public String toString() {
            return "or" + parts;
        }
    }

    /** One value as written (quotes removed, escapes applied) and where it starts. */
    record Value(String text, int offset) {
        @Override
        public String toString() {
            return text;
        }
    }

    record Comparison(String selector, int selectorOffset, Op op, int opOffset, List<Value> values) implements Node {
        @Override
        public String toString() {
            return selector + op.spelling + (values.size() == 1 && !op.list() ? values.get(0) : values.toString());
        }
    }

    private enum Kind { LPAREN, RPAREN, SEMI, COMMA, OP, WORD, STRING, END }

    private record Token(Kind kind, String text, int offset) {
        String shown() {
            return switch (kind) {
                case END -> "the end of the filter";
                case STRING -> "'" + text + "'";
                default -> "'" + text + "'";
            };
        }

        boolean keyword(String word) {
            return kind == Kind.WORD && text.toLowerCase(Locale.ROOT).equals(word);
        }
    }

    private final List<Token> tokens;
    private int next;
    private int depth;
    private int comparisons;

    private FilterSyntax(List<Token> tokens) {
        this.tokens = tokens;
    }

    /** The filter's tree; throws {@link FilterError} with the offset of the bad token. */
    static Node parse(String filter) {
        if (filter.length() > MAX_LENGTH) {
            throw new FilterError(MAX_LENGTH, "filter is longer than " + MAX_LENGTH + " characters");
        }
        FilterSyntax p = new FilterSyntax(lex(filter));
        Node n = p.or();
        Token t = p.peek();
        if (t.kind != Kind.END) {
            if (t.kind == Kind.RPAREN) throw new FilterError(t.offset, "')' at offset " + t.offset + " closes no '('");
            throw new FilterError(t.offset, "expected ';', ',', 'and', 'or' or the end of the filter at offset " + t.offset
                    + ", found " + t.shown() + " (quote values that hold spaces or any of ( ) ; , = ! < > ' \")");
        }
        return n;
    }

    // ---- parser ------------------------------------------------------------------------------

    private Node or() {
        List<Node> parts = new ArrayList<>(List.of(and()));
        while (peek().kind == Kind.COMMA || peek().keyword("or")) {
            next++;
            parts.add(and());
        }
        return parts.size() == 1 ? parts.get(0) : new Or(List.copyOf(parts));
    }

    private Node and() {
        List<Node> parts = new ArrayList<>(List.of(term()));
        while (peek().kind == Kind.SEMI || peek().keyword("and")) {
            next++;
            parts.add(term());
        }
        return parts.size() == 1 ? parts.get(0) : new And(List.copyOf(parts));
    }

    private Node term() {
        Token t = take();
        if (t.kind == Kind.LPAREN) {
            if (++depth > MAX_DEPTH) {
                throw new FilterError(t.offset, "filter nests parentheses deeper than " + MAX_DEPTH + " levels (at offset " + t.offset + ")");
            }
            Node inner = or();
            Token close = take();
            if (close.kind != Kind.RPAREN) {
                throw new FilterError(close.offset, "expected ')' at offset " + close.offset + " to close the '(' at offset "
                        + t.offset + ", found " + close.shown());
            }
            depth--;
            return inner;
        }
        if (t.kind == Kind.WORD) return comparison(t);
        if (t.kind == Kind.END && t.offset == 0) throw new FilterError(0, "filter is empty");
        throw new FilterError(t.offset, "expected a selector (e.g. attribute.arch, tag, installed.<model>) or '(' at offset "
                + t.offset + ", found " + t.shown(), FilterCompiler.SELECTORS);
    }

    private Comparison comparison(Token selector) {
        if (++comparisons > MAX_COMPARISONS) {
            throw new FilterError(selector.offset, "filter has more than " + MAX_COMPARISONS + " comparisons");
        }
        Token opToken = take();
        if (opToken.kind != Kind.OP) {
            throw new FilterError(opToken.offset, "expected an operator after '" + selector.text + "' at offset "
                    + opToken.offset + ", found " + opToken.shown(), Op.ACCEPTED);
        }
        Op op = Op.of(opToken.text);
        if (op == null) {
            throw new FilterError(opToken.offset, "unknown operator '" + opToken.text + "' at offset " + opToken.offset, Op.ACCEPTED);
        }
        List<Value> values = new ArrayList<>();
        if (peek().kind == Kind.LPAREN) {
            Token open = take();
            if (!op.list()) {
                throw new FilterError(open.offset, "a list of values at offset " + open.offset + " belongs to =in= or =out=, not "
                        + opToken.text);
            }
            do {
                values.add(value(values.isEmpty() ? opToken : tokens.get(next - 1)));
                if (values.size() > MAX_VALUES) {
                    throw new FilterError(values.get(values.size() - 1).offset(), "a list holds more than " + MAX_VALUES + " values");
                }
            } while (peek().kind == Kind.COMMA && take() != null);
            Token close = take();
            if (close.kind != Kind.RPAREN) {
                throw new FilterError(close.offset, "expected ',' or ')' at offset " + close.offset + " in the list opened at offset "
                        + open.offset + ", found " + close.shown());
            }
        } else {
            values.add(value(opToken));
        }
        return new Comparison(selector.text, selector.offset, op, opToken.offset, List.copyOf(values));
    }

    private Value value(Token after) {
        Token v = take();
        if (v.kind == Kind.WORD || v.kind == Kind.STRING) {
            if (v.text.isEmpty()) throw new FilterError(v.offset, "empty value at offset " + v.offset);
            return new Value(v.text, v.offset);
        }
        throw new FilterError(v.offset, "expected a value after " + after.shown() + " at offset " + v.offset + ", found "
                + v.shown() + (v.kind == Kind.END || v.kind == Kind.SEMI || v.kind == Kind.COMMA || v.kind == Kind.RPAREN
                ? " (empty value)" : " (quote values that hold spaces or any of ( ) ; , = ! < > ' \")"));
    }

    private Token peek() {
        return tokens.get(next);
    }

    private Token take() {
        Token t = tokens.get(next);
        if (t.kind != Kind.END) next++;
        return t;
    }

    // ---- lexer -------------------------------------------------------------------------------

    private static boolean reserved(char c) {
        return Character.isWhitespace(c) || "();,=!<>'\"".indexOf(c) >= 0;
    }

    private static List<Token> lex(String s) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '(') {
                out.add(new Token(Kind.LPAREN, "(", i++));
            } else if (c == ')') {
                out.add(new Token(Kind.RPAREN, ")", i++));
            } else if (c == ';') {
                out.add(new Token(Kind.SEMI, ";", i++));
            } else if (c == ',') {
                out.add(new Token(Kind.COMMA, ",", i++));
            } else if (c == '\'' || c == '"') {
                i = quoted(s, i, out);
            } else if (c == '=' || c == '!' || c == '<' || c == '>') {
                i = operator(s, i, out);
            } else {
                int start = i;
                while (i < s.length() && !reserved(s.charAt(i))) i++;
                out.add(new Token(Kind.WORD, s.substring(start, i), start));
            }
        }
        out.add(new Token(Kind.END, "", s.length()));
        return out;
    }

    private static int quoted(String s, int start, List<Token> out) {
        char quote = s.charAt(start);
        StringBuilder text = new StringBuilder();
        int i = start + 1;
        while (i < s.length() && s.charAt(i) != quote) {
            if (s.charAt(i) == '\\') {
                if (++i == s.length()) break;
            }
            text.append(s.charAt(i++));
        }
        if (i >= s.length()) {
            throw new FilterError(start, "the value quoted at offset " + start + " has no closing " + quote);
        }
        out.add(new Token(Kind.STRING, text.toString(), start));
        return i + 1;
    }

    private static int operator(String s, int start, List<Token> out) {
        char c = s.charAt(start);
        char n = start + 1 < s.length() ? s.charAt(start + 1) : 0;
        if (c == '=' && n != '=') {
            // =name= : read the letters up to the closing '='
            int i = start + 1;
            while (i < s.length() && Character.isLetter(s.charAt(i))) i++;
            if (i == start + 1 || i >= s.length() || s.charAt(i) != '=') {
                throw new FilterError(start, "unknown operator '" + s.substring(start, Math.min(s.length(), i + 1)) + "' at offset "
                        + start, Op.ACCEPTED);
            }
            out.add(new Token(Kind.OP, s.substring(start, i + 1).toLowerCase(Locale.ROOT), start));
            return i + 1;
        }
        if (n == '=') {
            out.add(new Token(Kind.OP, "" + c + n, start));
            return start + 2;
        }
        if (c == '<' || c == '>') {
            out.add(new Token(Kind.OP, "" + c, start));
            return start + 1;
        }
        throw new FilterError(start, "unknown operator '" + c + (n == 0 ? "" : String.valueOf(n)) + "' at offset " + start, Op.ACCEPTED);
    }
}

package dev.modelyard.manifests;

/** JSON pointers ({@code /spec/phases/0/size}) and the dotted paths messages show ({@code spec.phases[0].size}). */
public final class Paths {

    private Paths() {
    }

    public static String dotted(String pointer) {
        if (pointer.isEmpty()) return "";
        StringBuilder out = new StringBuilder();
        for (String raw : pointer.substring(1).split("/", -1)) {
            String s = raw.replace("~1", "/").replace("~0", "~");
            if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
                out.append('[').append(s).append(']');
            } else {
                if (out.length() > 0) out.append('.');
                out.append(s);
            }
        }
        return out.toString();
    }

    /** The JSON pointer of a dotted path ({@code steps[0].converter} to {@code /steps/0/converter}). */
    public static String pointer(String dotted) {
        if (dotted == null || dotted.isEmpty()) return "";
        StringBuilder out = new StringBuilder();
        for (String part : dotted.replace("[", ".").replace("]", "").split("\\.")) {
            if (!part.isEmpty()) out.append('/').append(SourceMap.segment(part));
        }
        return out.toString();
    }

    /** The pointer of member {@code name} of the object at {@code pointer}. */
    public static String member(String pointer, String name) {
        return pointer + "/" + SourceMap.segment(name);
    }
}

package arm.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A file that exists but is not what it claims to be: truncated, wrong magic, a header field out of
 * range, a checksum mismatch. The message is one line, "FILE: FIELD: what is wrong", safe to print
 * (control characters and overlong text from the file itself are escaped and cut).
 */
public class FileFormatException extends IOException {
    public final Path file;
    public final String field;

    public FileFormatException(Path file, String field, String what) {
        super(oneLine(file + ": " + field + ": " + what));
        this.file = file;
        this.field = field;
    }

    /** Text from a hostile file made printable: one line, at most 400 characters. */
    public static String oneLine(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 410));
        for (int i = 0; i < s.length() && b.length() < 400; i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r' || c == '\t') b.append(' ');
            else if (c < 0x20
                    || (c >= 0x7f && c < 0xa0)
                    || Character.isSurrogate(c)
                    || c == '\ufffd') b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        if (b.length() >= 400) b.append("…");
        return b.toString();
    }

    /** How many characters of file content a message may quote. */
    public static final int QUOTED = 24;

    /**
     * The one way a message quotes text read from a file: its first {@link #QUOTED} characters in
     * single quotes, printable ASCII kept and everything else escaped ({@code \\n}, {@code
     * \\u00e9}), so a hostile file can never put raw bytes, control characters or a second line on
     * a terminal.
     */
    public static String quote(String s) {
        if (s == null) return "None";
        StringBuilder b = new StringBuilder("'");
        int n = Math.min(s.length(), QUOTED);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == '\\' || c == '\'') b.append('\\').append(c);
            else if (c >= 0x20 && c < 0x7f) b.append(c);
            else if (c == '\n') b.append("\\n");
            else b.append(String.format("\\u%04x", (int) c));
        }
        return b.append(s.length() > n ? "'…" : "'").toString();
    }

    /** {@link #quote(String)} for raw bytes (each byte one latin1 character). */
    public static String quote(byte[] bytes) {
        return quote(
                new String(
                        bytes, 0, Math.min(bytes.length, QUOTED + 1), StandardCharsets.ISO_8859_1));
    }

    /**
     * A value read from a file, for a message: its kind, and for short text or numbers a quoted
     * prefix ({@link #quote}); never the value's own {@code toString} (a byte[] or a list of a
     * million entries).
     */
    public static String describe(Object o) {
        if (o == null) return "None";
        if (o instanceof Number || o instanceof Boolean) return quote(o.toString());
        if (o instanceof String s) return "str " + quote(s);
        if (o instanceof byte[] a) return "bytes " + quote(a);
        return o.getClass().getSimpleName();
    }
}

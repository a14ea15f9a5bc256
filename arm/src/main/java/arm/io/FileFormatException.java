package arm.io;

import java.io.IOException;
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
      else if (c < 0x20 || (c >= 0x7f && c < 0xa0) || Character.isSurrogate(c) || c == '\ufffd')
        b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    if (b.length() >= 400) b.append("…");
    return b.toString();
  }

  /** A short quoted form of a name read from a file, for messages. */
  public static String quote(String s) {
    String q = oneLine(s);
    return "'" + (q.length() > 60 ? q.substring(0, 60) + "…" : q) + "'";
  }
}

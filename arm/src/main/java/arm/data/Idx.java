package arm.data;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader for the IDX files MNIST ships in (plain or gzip-compressed; detected by content, not by
 * name). Format, all integers big-endian:
 *
 * <pre>
 *   images: int32 magic 2051 (0x00000803: unsigned byte, 3 dims), int32 n, int32 rows, int32 cols,
 *           then n·rows·cols bytes, image-major, row-major
 *   labels: int32 magic 2049 (0x00000801: unsigned byte, 1 dim), int32 n, then n bytes
 * </pre>
 *
 * Every header field is checked against the real file length before anything is allocated from it,
 * so a corrupt count cannot ask for gigabytes; every error names the file and the field.
 */
public final class Idx {
  public static final int IMAGES_MAGIC = 2051;
  public static final int LABELS_MAGIC = 2049;

  /**
   * The contents of an images file.
   *
   * @param pixels count·rows·cols bytes
   */
  public record Images(int count, int rows, int cols, byte[] pixels) {}

  /** Raised for malformed IDX content; the message names the file and the field. */
  public static final class FormatException extends IOException {
    public FormatException(Path file, String what) {
      super(file + ": " + what);
    }
  }

  private Idx() {}

  /** Reads an images file and checks that every image is rows × cols. */
  public static Images readImages(Path file, int rows, int cols) throws IOException {
    byte[] bytes = readAll(file);
    int magic = intAt(file, bytes, 0, "magic");
    if (magic != IMAGES_MAGIC)
      throw new FormatException(
          file, "magic number is " + magic + ", expected " + IMAGES_MAGIC + " (IDX images)"
              + (magic == LABELS_MAGIC ? "; this is a labels file" : ""));
    int n = intAt(file, bytes, 4, "image count");
    int r = intAt(file, bytes, 8, "rows");
    int c = intAt(file, bytes, 12, "columns");
    if (n < 0) throw new FormatException(file, "image count field is negative (" + n + ")");
    if (r != rows) throw new FormatException(file, "rows field is " + r + ", expected " + rows);
    if (c != cols) throw new FormatException(file, "columns field is " + c + ", expected " + cols);
    checkLength(file, bytes.length, 16, (long) n * r * c, "image count " + n + " × " + r + " × " + c);
    byte[] pixels = new byte[bytes.length - 16];
    System.arraycopy(bytes, 16, pixels, 0, pixels.length);
    return new Images(n, r, c, pixels);
  }

  /** Reads a labels file and checks that every label is in 0 .. numClasses−1. */
  public static int[] readLabels(Path file, int numClasses) throws IOException {
    byte[] bytes = readAll(file);
    int magic = intAt(file, bytes, 0, "magic");
    if (magic != LABELS_MAGIC)
      throw new FormatException(
          file, "magic number is " + magic + ", expected " + LABELS_MAGIC + " (IDX labels)"
              + (magic == IMAGES_MAGIC ? "; this is an images file" : ""));
    int n = intAt(file, bytes, 4, "label count");
    if (n < 0) throw new FormatException(file, "label count field is negative (" + n + ")");
    checkLength(file, bytes.length, 8, n, "label count " + n);
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      int y = bytes[8 + i] & 0xFF;
      if (y >= numClasses)
        throw new FormatException(
            file, "label " + i + " is " + y + ", outside 0.." + (numClasses - 1));
      labels[i] = y;
    }
    return labels;
  }

  /**
   * Finds an IDX file by its standard name in {@code dir}, accepting the usual variants: a
   * {@code .gz} suffix, a dot instead of the last dash ({@code train-images.idx3-ubyte}), and
   * torchvision's download layout ({@code dir/MNIST/raw/}, {@code dir/raw/}).
   *
   * @param name standard name, e.g. "train-images-idx3-ubyte"
   * @return the first existing candidate, or null
   */
  public static Path find(Path dir, String name) {
    for (Path candidate : candidates(dir, name)) if (Files.isRegularFile(candidate)) return candidate;
    return null;
  }

  /** Every path {@link #find} tries, in order (for error messages). */
  public static List<Path> candidates(Path dir, String name) {
    String dotted = name.replaceFirst("-(idx\\d-ubyte)$", ".$1");
    List<Path> out = new ArrayList<>();
    for (Path d : List.of(dir, dir.resolve("MNIST").resolve("raw"), dir.resolve("raw")))
      for (String n : List.of(name, name + ".gz", dotted, dotted + ".gz")) out.add(d.resolve(n));
    return out;
  }

  // ---------------------------------------------------------------------------------------------

  /** The decompressed file contents; grows with what is really there, never with a header field. */
  private static byte[] readAll(Path file) throws IOException {
    if (!Files.isRegularFile(file)) throw new FormatException(file, "no such file");
    byte[] raw = Files.readAllBytes(file);
    if (raw.length >= 2 && (raw[0] & 0xFF) == 0x1f && (raw[1] & 0xFF) == 0x8b) {
      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw), 1 << 16)) {
        return in.readAllBytes();
      } catch (ZipException | EOFException e) {
        throw new FormatException(file, "corrupt gzip data (" + e.getMessage() + ")");
      }
    }
    return raw;
  }

  private static int intAt(Path file, byte[] bytes, int offset, String field) throws IOException {
    if (bytes.length < offset + 4)
      throw new FormatException(
          file, "file ends at byte " + bytes.length + " inside the header (" + field + " field)");
    return ByteBuffer.wrap(bytes, offset, 4).getInt(); // big-endian, as IDX is
  }

  private static void checkLength(Path file, long actual, int header, long expectedBody, String what)
      throws IOException {
    long body = actual - header;
    if (body < expectedBody)
      throw new FormatException(
          file, "truncated: " + what + " needs " + expectedBody + " data bytes, file has " + body);
    if (body > expectedBody)
      throw new FormatException(
          file, what + " needs " + expectedBody + " data bytes, but file has " + body
              + " (count field wrong or trailing garbage)");
  }
}

package arm.data;

import arm.io.FileFormatException;
import arm.io.RegularFile;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
            super(FileFormatException.oneLine(file + ": " + what));
        }
    }

    private Idx() {}

    /**
     * The most data bytes an IDX file may hold (decompressed): MNIST's training images are 47 MB. A
     * header is never trusted beyond this, so a gzip bomb cannot exhaust memory.
     */
    public static final long MAX_BYTES = 128L << 20;

    /** Reads an images file and checks that every image is rows × cols. */
    public static Images readImages(Path file, int rows, int cols) throws IOException {
        try (Stream in = Stream.open(file)) {
            int magic = in.header("magic");
            if (magic != IMAGES_MAGIC)
                throw new FormatException(
                        file,
                        "magic number is "
                                + magic
                                + ", expected "
                                + IMAGES_MAGIC
                                + " (IDX images)"
                                + (magic == LABELS_MAGIC ? "; this is a labels file" : ""));
            int n = in.header("image count");
            int r = in.header("rows");
            int c = in.header("columns");
            if (n < 0) throw new FormatException(file, "image count field is negative (" + n + ")");
            if (r != rows)
                throw new FormatException(file, "rows field is " + r + ", expected " + rows);
            if (c != cols)
                throw new FormatException(file, "columns field is " + c + ", expected " + cols);
            byte[] pixels = in.body((long) n * r * c, "image count " + n + " × " + r + " × " + c);
            return new Images(n, r, c, pixels);
        }
    }

    /** Reads a labels file and checks that every label is in 0 .. numClasses−1. */
    public static int[] readLabels(Path file, int numClasses) throws IOException {
        try (Stream in = Stream.open(file)) {
            int magic = in.header("magic");
            if (magic != LABELS_MAGIC)
                throw new FormatException(
                        file,
                        "magic number is "
                                + magic
                                + ", expected "
                                + LABELS_MAGIC
                                + " (IDX labels)"
                                + (magic == IMAGES_MAGIC ? "; this is an images file" : ""));
            int n = in.header("label count");
            if (n < 0) throw new FormatException(file, "label count field is negative (" + n + ")");
            byte[] bytes = in.body(n, "label count " + n);
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                int y = bytes[i] & 0xFF;
                if (y >= numClasses)
                    throw new FormatException(
                            file, "label " + i + " is " + y + ", outside 0.." + (numClasses - 1));
                labels[i] = y;
            }
            return labels;
        }
    }

    /**
     * Finds an IDX file by its standard name in {@code dir}, accepting the usual variants: a {@code
     * .gz} suffix, a dot instead of the last dash ({@code train-images.idx3-ubyte}), and
     * torchvision's download layout ({@code dir/MNIST/raw/}, {@code dir/raw/}).
     *
     * @param name standard name, e.g. "train-images-idx3-ubyte"
     * @return the first existing candidate, or null
     */
    public static Path find(Path dir, String name) {
        for (Path candidate : candidates(dir, name))
            if (RegularFile.present(candidate)) return candidate;
        return null;
    }

    /** Every path {@link #find} tries, in order (for error messages). */
    public static List<Path> candidates(Path dir, String name) {
        String dotted = name.replaceFirst("-(idx\\d-ubyte)$", ".$1");
        List<Path> out = new ArrayList<>();
        for (Path d : List.of(dir, dir.resolve("MNIST").resolve("raw"), dir.resolve("raw")))
            for (String n : List.of(name, name + ".gz", dotted, dotted + ".gz"))
                out.add(d.resolve(n));
        return out;
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * An IDX file's (decompressed) bytes, read in order: header ints, then exactly the body the
     * header promises. Nothing is allocated beyond that promise, which is itself capped by {@link
     * #MAX_BYTES}; bytes past the body are counted only up to a small margin and then refused.
     */
    private static final class Stream implements AutoCloseable {
        private static final int TRAILING_MARGIN = 1 << 16;
        private static final int READ_CHUNK = 1 << 16; // bytes per read of a plain file's body
        private final Path file;
        private final InputStream in;
        private final long plainSize; // the file size when not compressed, else −1
        private long pos;

        private Stream(Path file, InputStream in, long plainSize) {
            this.file = file;
            this.in = in;
            this.plainSize = plainSize;
        }

        static Stream open(Path file) throws IOException {
            String problem = RegularFile.problem(file);
            if (problem != null) throw new FormatException(file, problem);
            BufferedInputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
            try {
                raw.mark(2);
                boolean gz = raw.read() == 0x1f && raw.read() == 0x8b;
                raw.reset();
                return gz
                        ? new Stream(file, new GZIPInputStream(raw, 1 << 16), -1)
                        : new Stream(file, raw, Files.size(file));
            } catch (ZipException | EOFException e) {
                raw.close();
                throw corrupt(file);
            } catch (IOException | RuntimeException e) {
                raw.close();
                throw e;
            }
        }

        int header(String field) throws IOException {
            byte[] b = read(4);
            if (b.length < 4)
                throw new FormatException(
                        file,
                        "file ends at byte " + (pos) + " inside the header (" + field + " field)");
            return ByteBuffer.wrap(b).getInt(); // big-endian, as IDX is
        }

        byte[] body(long expected, String what) throws IOException {
            if (plainSize >= 0) checkLength(file, plainSize, (int) pos, expected, what);
            if (expected > MAX_BYTES)
                throw new FormatException(
                        file,
                        what
                                + " needs "
                                + expected
                                + " data bytes, more than the "
                                + (MAX_BYTES >> 20)
                                + " MiB an IDX file may hold (count field wrong?)");
            byte[] b = read((int) expected);
            long header = pos - b.length;
            if (b.length < expected) checkLength(file, pos, (int) header, expected, what);
            long extra = skipUpTo(TRAILING_MARGIN);
            if (extra > 0)
                throw new FormatException(
                        file,
                        what
                                + " needs "
                                + expected
                                + " data bytes, but file has "
                                + (extra >= TRAILING_MARGIN
                                        ? "more than " + (expected + extra)
                                        : expected + extra)
                                + " (count field wrong or trailing garbage)");
            return b;
        }

        private byte[] read(int n) throws IOException {
            try {
                byte[] b;
                if (plainSize >= 0) {
                    // a plain file whose length was checked: one array of the expected size
                    // (readNBytes(int) gathers chunks and copies them, twice the bytes for
                    // MNIST's 47 MB of training images), filled READ_CHUNK bytes at a time: one
                    // read of 47 MB makes the file stream allocate (and the kernel fault in) a
                    // native buffer of that size, 0.22 s against 0.04 s in chunks
                    b = new byte[n];
                    int got = 0;
                    for (int r; got < n; got += r) {
                        r = in.readNBytes(b, got, Math.min(READ_CHUNK, n - got));
                        if (r == 0) break; // end of file
                    }
                    if (got < n) b = Arrays.copyOf(b, got);
                } else {
                    // compressed: grown as the data arrives, so a wrong count field costs no
                    // allocation the file does not back
                    b = in.readNBytes(n);
                }
                pos += b.length;
                return b;
            } catch (ZipException | EOFException e) {
                throw corrupt(file);
            }
        }

        private long skipUpTo(int n) throws IOException {
            byte[] sink = new byte[8192];
            long total = 0;
            try {
                for (int r;
                        total < n
                                && (r = in.read(sink, 0, (int) Math.min(sink.length, n - total)))
                                        > 0; ) total += r;
            } catch (ZipException | EOFException e) {
                throw corrupt(file);
            }
            return total;
        }

        private static FormatException corrupt(Path file) {
            return new FormatException(file, "corrupt gzip data (truncated or damaged)");
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    private static void checkLength(
            Path file, long actual, int header, long expectedBody, String what) throws IOException {
        long body = actual - header;
        if (body < expectedBody)
            throw new FormatException(
                    file,
                    "truncated: "
                            + what
                            + " needs "
                            + expectedBody
                            + " data bytes, file has "
                            + body);
        if (body > expectedBody)
            throw new FormatException(
                    file,
                    what
                            + " needs "
                            + expectedBody
                            + " data bytes, but file has "
                            + body
                            + " (count field wrong or trailing garbage)");
    }
}

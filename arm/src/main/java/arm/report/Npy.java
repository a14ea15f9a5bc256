package arm.report;

import arm.io.FileFormatException;
import arm.io.RegularFile;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * float32 arrays in NumPy's .npy format (version 1.0, little-endian, C order), so recorded images
 * open with {@code numpy.load}. Only what we write is read back: '&lt;f4', not Fortran order.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /** An array read back: values in C order and the shape. */
    public record Array(float[] data, int[] shape) {}

    private Npy() {}

    public static void write(Path file, float[] data, int... shape) throws IOException {
        long n = 1;
        for (int d : shape) n *= d;
        if (n != data.length)
            throw new IllegalArgumentException(
                    file + ": " + data.length + " values for shape " + Arrays.toString(shape));
        String dims =
                String.join(", ", Arrays.stream(shape).mapToObj(Integer::toString).toList())
                        + (shape.length == 1 ? "," : ""); // Python's one-element tuple
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
        int unpadded = MAGIC.length + 2 + 2 + header.length() + 1;
        header +=
                " ".repeat((64 - unpadded % 64) % 64) + "\n"; // total header a multiple of 64 bytes
        byte[] h = header.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer buf =
                ByteBuffer.allocate(MAGIC.length + 4 + h.length + 4 * data.length)
                        .order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) h.length).put(h);
        for (float v : data) buf.putFloat(v);
        Files.write(file, buf.array());
    }

    public static Array read(Path file) throws IOException {
        String problem = RegularFile.problem(file);
        if (problem != null) throw new IOException(file + ": " + problem);
        long size = Files.size(file);
        try (InputStream in = Files.newInputStream(file)) {
            DataInputStream d = new DataInputStream(in);
            byte[] magic = new byte[6];
            d.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) throw new IOException(file + ": not a .npy file");
            int major = d.readUnsignedByte();
            d.readUnsignedByte();
            if (major != 1)
                throw new IOException(file + ": .npy version " + major + " (only 1.0 is read)");
            int len = Short.toUnsignedInt(Short.reverseBytes(d.readShort()));
            byte[] hb = new byte[len];
            d.readFully(hb);
            String header = new String(hb, StandardCharsets.US_ASCII);
            if (!header.contains("'descr': '<f4'") || !header.contains("'fortran_order': False"))
                throw new IOException(
                        file
                                + ": only little-endian float32 in C order is read, header "
                                + FileFormatException.quote(header.trim()));
            int[] shape = shape(file, header);
            long n = 1, bodyBytes = size - 10 - len;
            for (int s : shape) {
                n *= s;
                if (n > bodyBytes) break; // no overflow: checked against the real size below
            }
            if (4 * n != bodyBytes)
                throw new IOException(
                        file
                                + ": "
                                + bodyBytes
                                + " data bytes for shape "
                                + Arrays.toString(shape));
            byte[] body = d.readNBytes((int) bodyBytes);
            if (body.length != bodyBytes)
                throw new IOException(file + ": shorter than its size (changed while read?)");
            float[] out = new float[(int) n];
            ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return new Array(out, shape);
        } catch (EOFException e) {
            throw new IOException(file + ": ends inside its header (truncated)");
        }
    }

    private static int[] shape(Path file, String header) throws IOException {
        int a = header.indexOf("'shape': (");
        int b = header.indexOf(')', a);
        if (a < 0 || b < 0)
            throw new IOException(
                    file + ": no shape in header " + FileFormatException.quote(header.trim()));
        String inner = header.substring(a + 10, b).trim();
        if (inner.isEmpty()) return new int[0];
        String[] parts =
                Arrays.stream(inner.split(","))
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .toArray(String[]::new);
        if (parts.length > 8)
            throw new IOException(
                    file + ": rank " + parts.length + " is more than an image array has");
        int[] out = new int[parts.length];
        for (int i = 0; i < out.length; i++) {
            try {
                out[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                out[i] = -1;
            }
            if (out[i] < 0)
                throw new IOException(
                        file
                                + ": shape entry "
                                + FileFormatException.quote(parts[i])
                                + " is not a size");
        }
        return out;
    }
}

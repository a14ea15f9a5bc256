package arm.io;

import arm.tensor.Shape;
import arm.tensor.Tensor;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The safetensors layout (huggingface/safetensors), so that numpy and PyTorch users can read our
 * weights without us or pickle:
 *
 * <pre>
 *   8 bytes   N, unsigned little-endian: the header length
 *   N bytes   UTF-8 JSON, padded with spaces:
 *             {"fc1.weight": {"dtype": "F32", "shape": [400, 784], "data_offsets": [BEGIN, END]}, …,
 *              "__metadata__": {"key": "value", …}}
 *   rest      the tensors' bytes, little-endian, row-major; tensor i at [BEGIN, END) of this part,
 *             the parts back to back with no gap or overlap
 * </pre>
 *
 * We write float32 tensors and int64 arrays (exact integer state, e.g. a double's bits). Reading
 * executes nothing: the header is JSON with every field checked (types, dtype, shape × dtype size =
 * END − BEGIN, offsets covering the data exactly, the header length against the file size) before
 * any tensor memory is allocated, so a corrupt field cannot ask for more memory than the file
 * holds. A file we wrote with {@code checksum} carries {@value #CHECKSUM_KEY} in its metadata: the
 * SHA-256 of every tensor's name, dtype, shape, offsets and bytes and of every other metadata
 * entry; {@link #read} verifies it.
 */
public final class SafeTensors {
    public static final String CHECKSUM_KEY = "arm.sha256";
    public static final String METADATA = "__metadata__";

    /** The reference implementation's limit. */
    public static final long MAX_HEADER_BYTES = 100L << 20;

    static final int MAX_RANK = 16, MAX_NAME = 1024;

    private SafeTensors() {}

    /** One float32 tensor read from a file: shape and row-major values. */
    public record Entry(int[] shape, float[] data) {}

    /**
     * A whole file: float32 tensors and int64 arrays (flattened) in file order, and the metadata.
     */
    public record Contents(
            Map<String, Entry> tensors, Map<String, long[]> longs, Map<String, String> metadata) {}

    // ------------------------------------------------------------------------------------ write

    /**
     * The file's bytes: {@code tensors} (host or device; copied to the host) in map order, with
     * {@code metadata}, plus the checksum entry when {@code checksum}.
     */
    public static byte[] encode(
            Map<String, Tensor> tensors, Map<String, String> metadata, boolean checksum) {
        return encode(tensors, Map.of(), metadata, checksum);
    }

    /** The same with int64 arrays (1-D, after the float32 tensors, in map order). */
    public static byte[] encode(
            Map<String, Tensor> tensors,
            Map<String, long[]> longs,
            Map<String, String> metadata,
            boolean checksum) {
        long total = 0;
        for (Tensor t : tensors.values()) total += 4L * t.numel();
        for (long[] v : longs.values()) total += 8L * v.length;
        if (total > Integer.MAX_VALUE - (64L << 20))
            throw new IllegalArgumentException(
                    "tensors of " + total + " bytes are too large for one file");
        ByteBuffer data = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        List<Info> infos = new ArrayList<>();
        for (var e : tensors.entrySet()) {
            checkName(e.getKey());
            float[] v = e.getValue().toArray();
            long begin = data.position();
            data.asFloatBuffer().put(v);
            data.position((int) begin + 4 * v.length);
            infos.add(
                    new Info(
                            e.getKey(), "F32", e.getValue().shape.clone(), begin, data.position()));
        }
        for (var e : longs.entrySet()) {
            checkName(e.getKey());
            if (tensors.containsKey(e.getKey()))
                throw new IllegalArgumentException("duplicate name '" + e.getKey() + "'");
            long begin = data.position();
            data.asLongBuffer().put(e.getValue());
            data.position((int) begin + 8 * e.getValue().length);
            infos.add(
                    new Info(
                            e.getKey(),
                            "I64",
                            new int[] {e.getValue().length},
                            begin,
                            data.position()));
        }
        Map<String, String> meta = new TreeMap<>(metadata);
        meta.remove(CHECKSUM_KEY);
        if (checksum) meta.put(CHECKSUM_KEY, digest(infos, meta, data.array()));

        Map<String, Object> header = new LinkedHashMap<>();
        for (Info i : infos)
            header.put(
                    i.name,
                    Map.of(
                            "dtype",
                            i.dtype,
                            "shape",
                            i.shape,
                            "data_offsets",
                            new long[] {i.begin, i.end}));
        if (!meta.isEmpty()) header.put(METADATA, meta);
        byte[] json;
        try {
            json = StrictJson.MAPPER.writeValueAsBytes(header);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a safetensors header", e);
        }
        int pad = (8 - json.length % 8) % 8; // data starts 8-aligned, as the reference writer does
        ByteBuffer out =
                ByteBuffer.allocate(8 + json.length + pad + (int) total)
                        .order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length + pad).put(json);
        for (int i = 0; i < pad; i++) out.put((byte) ' ');
        out.put(data.array());
        return out.array();
    }

    private static void checkName(String name) {
        if (name.isEmpty() || name.length() > MAX_NAME || name.equals(METADATA))
            throw new IllegalArgumentException("bad tensor name '" + name + "'");
    }

    // ------------------------------------------------------------------------------------ read

    /**
     * Reads and validates a whole file; every problem is a one-line {@link FileFormatException}.
     */
    public static Contents read(Path file) throws IOException {
        String problem = RegularFile.problem(file);
        if (problem != null) throw new FileFormatException(file, "file", problem);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8)
                throw new FileFormatException(
                        file,
                        "header length",
                        "file is "
                                + size
                                + " bytes; a safetensors file starts with an 8-byte header length");
            long n =
                    readFully(file, ch, 0, 8, "header length")
                            .order(ByteOrder.LITTLE_ENDIAN)
                            .getLong();
            if (n < 2 || n > size - 8)
                throw new FileFormatException(
                        file,
                        "header length",
                        "field is "
                                + Long.toUnsignedString(n)
                                + " but "
                                + (size - 8)
                                + " bytes follow it (file truncated or not safetensors)");
            if (n > MAX_HEADER_BYTES)
                throw new FileFormatException(
                        file,
                        "header length",
                        n + " bytes exceeds the limit of " + MAX_HEADER_BYTES);
            long dataLength = size - 8 - n;
            if (dataLength > Integer.MAX_VALUE - 64)
                throw new FileFormatException(
                        file,
                        "data",
                        dataLength + " bytes of tensors is more than this reader holds");
            byte[] header = readFully(file, ch, 8, (int) n, "header").array();
            if (header[0] != '{')
                throw new FileFormatException(file, "header", "does not start with '{'");
            List<Info> infos = new ArrayList<>();
            Map<String, String> meta = new TreeMap<>();
            parseHeader(file, header, dataLength, infos, meta);
            byte[] data = readFully(file, ch, 8 + n, (int) dataLength, "data").array();
            String sum = meta.get(CHECKSUM_KEY);
            if (sum != null) {
                Map<String, String> rest = new TreeMap<>(meta);
                rest.remove(CHECKSUM_KEY);
                if (!sum.equals(digest(infos, rest, data)))
                    throw new FileFormatException(
                            file,
                            CHECKSUM_KEY,
                            "checksum mismatch: the file was changed or damaged after it was"
                                    + " written");
            }
            Map<String, Entry> tensors = new LinkedHashMap<>();
            Map<String, long[]> longs = new LinkedHashMap<>();
            ByteBuffer buf = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
            for (Info i : infos) {
                buf.position((int) i.begin);
                if (i.dtype.equals("F32")) {
                    float[] v = new float[(int) ((i.end - i.begin) / 4)];
                    buf.asFloatBuffer().get(v);
                    tensors.put(i.name, new Entry(i.shape, v));
                } else if (i.dtype.equals("I64")) {
                    long[] v = new long[(int) ((i.end - i.begin) / 8)];
                    buf.asLongBuffer().get(v);
                    longs.put(i.name, v);
                } else {
                    throw new FileFormatException(
                            file,
                            "tensor " + FileFormatException.quote(i.name) + " dtype",
                            i.dtype + " is not supported here (float32 and int64 only)");
                }
            }
            return new Contents(tensors, longs, meta);
        }
    }

    private record Info(String name, String dtype, int[] shape, long begin, long end) {}

    /** Element sizes of the dtypes the format defines. */
    static int dtypeSize(String dtype) {
        return switch (dtype) {
            case "F64", "I64", "U64" -> 8;
            case "F32", "I32", "U32" -> 4;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2" -> 1;
            default -> -1;
        };
    }

    private static void parseHeader(
            Path file, byte[] header, long dataLength, List<Info> infos, Map<String, String> meta)
            throws FileFormatException {
        StrictJson.At root = StrictJson.parse(file, "header", header).object();
        for (var e : root.fields().entrySet()) {
            String name = e.getKey();
            StrictJson.At v = e.getValue();
            if (name.equals(METADATA)) {
                for (var m : v.fields().entrySet()) meta.put(m.getKey(), m.getValue().text());
                continue;
            }
            String what = "tensor " + FileFormatException.quote(name);
            if (name.isEmpty() || name.length() > MAX_NAME)
                throw new FileFormatException(
                        file, what, "name is empty or longer than " + MAX_NAME);
            v = new StrictJson.At(file, what, v.node()).only("dtype", "shape", "data_offsets");
            String dtype = v.get("dtype").text();
            int size = dtypeSize(dtype);
            if (size < 0) throw v.bad("unknown dtype " + FileFormatException.quote(dtype));
            int[] shape = v.get("shape").ints(MAX_RANK, 0, Integer.MAX_VALUE);
            StrictJson.At off = v.get("data_offsets");
            if (off.elements(2).size() != 2) throw off.bad("expected [begin, end]");
            long begin = off.elements(2).get(0).longValue(0, dataLength);
            long end = off.elements(2).get(1).longValue(begin, dataLength);
            long bytes = size;
            for (int d : shape) if (d == 0) bytes = 0;
            for (int d : shape) {
                bytes *= d;
                if (bytes > dataLength)
                    break; // stops long before a long overflows; reported just below
            }
            if (bytes != end - begin)
                throw off.bad(
                        "shape "
                                + Shape.str(shape)
                                + " of "
                                + dtype
                                + " needs "
                                + (bytes > dataLength ? "more than " + dataLength : bytes)
                                + " bytes, offsets span "
                                + (end - begin));
            infos.add(new Info(name, dtype, shape, begin, end));
        }
        infos.sort(Comparator.comparingLong(Info::begin).thenComparingLong(Info::end));
        long at = 0;
        for (Info i : infos) {
            if (i.begin != at)
                throw new FileFormatException(
                        file,
                        "tensor " + FileFormatException.quote(i.name) + ".data_offsets",
                        i.begin < at
                                ? "overlaps the previous tensor"
                                : "leaves a gap of " + (i.begin - at) + " bytes before it");
            at = i.end;
        }
        if (at != dataLength)
            throw new FileFormatException(
                    file,
                    "data",
                    "tensors cover "
                            + at
                            + " bytes but "
                            + dataLength
                            + " follow the header (truncated or trailing bytes)");
    }

    private static ByteBuffer readFully(
            Path file, FileChannel ch, long pos, int length, String field) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            int r = ch.read(b, pos + b.position());
            if (r < 0)
                throw new FileFormatException(
                        file, field, "file ended early (it shrank while being read)");
        }
        return b.flip();
    }

    /** SHA-256 of the tensors' descriptions and bytes and of the metadata, in a fixed order. */
    private static String digest(List<Info> infos, Map<String, String> sortedMeta, byte[] data) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        StringBuilder canon = new StringBuilder();
        List<Info> sorted = new ArrayList<>(infos);
        sorted.sort(Comparator.comparingLong(Info::begin));
        for (Info i : sorted)
            canon.append(i.name)
                    .append('\0')
                    .append(i.dtype)
                    .append('\0')
                    .append(Shape.str(i.shape))
                    .append('\0')
                    .append(i.begin)
                    .append('\0')
                    .append(i.end)
                    .append('\n');
        canon.append('\u0001');
        for (var e : sortedMeta.entrySet())
            canon.append(e.getKey()).append('\0').append(e.getValue()).append('\n');
        md.update(canon.toString().getBytes(StandardCharsets.UTF_8));
        md.update(data);
        return HexFormat.of().formatHex(md.digest());
    }
}

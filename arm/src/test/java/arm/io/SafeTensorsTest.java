package arm.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import arm.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The safetensors layout: round trip, the reference format's rules, hostile headers, numpy. */
class SafeTensorsTest {
    @TempDir Path tmp;

    static Map<String, Tensor> sample() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put(
                "fc1.weight",
                Tensor.of(new float[] {1.5f, -2f, 3.25f, Float.MIN_VALUE, -0f, 7e-30f}, 2, 3));
        m.put("fc1.bias", Tensor.of(new float[] {0.1f, 0.2f}, 2));
        m.put("scalar", Tensor.of(new float[] {42f}));
        return m;
    }

    Path write(byte[] b) throws IOException {
        Path f = tmp.resolve("t.safetensors");
        Files.write(f, b);
        return f;
    }

    /** A file with a hand-written header (padded so the data start is aligned) and data. */
    static byte[] raw(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b =
                ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        return b.array();
    }

    @Test
    void roundTripKeepsNamesOrderShapesAndBits() throws IOException {
        Path f = write(SafeTensors.encode(sample(), Map.of("k", "v"), true));
        SafeTensors.Contents c = SafeTensors.read(f);
        assertThat(c.tensors().keySet()).containsExactly("fc1.weight", "fc1.bias", "scalar");
        for (var e : sample().entrySet()) {
            assertThat(c.tensors().get(e.getKey()).shape()).containsExactly(e.getValue().shape);
            float[] want = e.getValue().toArray(), got = c.tensors().get(e.getKey()).data();
            for (int i = 0; i < want.length; i++)
                assertThat(Float.floatToRawIntBits(got[i]))
                        .isEqualTo(Float.floatToRawIntBits(want[i]));
        }
        assertThat(c.metadata()).containsEntry("k", "v").containsKey(SafeTensors.CHECKSUM_KEY);
    }

    @Test
    void layoutIsTheReferenceOne() throws IOException {
        byte[] b = SafeTensors.encode(sample(), Map.of(), false);
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long n = buf.getLong();
        assertThat((8 + n) % 8).isZero(); // data 8-aligned, header padded with spaces
        String header = new String(b, 8, (int) n, StandardCharsets.UTF_8);
        assertThat(header)
                .startsWith("{\"fc1.weight\":{")
                .contains("\"dtype\":\"F32\"")
                .contains("\"shape\":[2,3]")
                .contains("\"data_offsets\":[0,24]")
                .doesNotContain("__metadata__");
        assertThat(b.length - 8 - n).isEqualTo(4 * (6 + 2 + 1));
        assertThat(buf.getFloat((int) (8 + n))).isEqualTo(1.5f); // little-endian, row-major
    }

    @Test
    void checksumCatchesAFlippedDataBit() throws IOException {
        byte[] b = SafeTensors.encode(sample(), Map.of(), true);
        b[b.length - 3] ^= 0x10;
        Path f = write(b);
        assertThatThrownBy(() -> SafeTensors.read(f))
                .isInstanceOf(FileFormatException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("checksum mismatch");
    }

    @Test
    void hostileHeadersGiveOneLineErrorsNamingTheField() throws IOException {
        byte[] d8 = new byte[8];
        String ok = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        Object[][] cases = {
            {new byte[5], "header length"},
            {
                ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).array(),
                "header length"
            },
            {
                ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array(),
                "header length"
            },
            {raw("[1,2]", d8), "header"},
            {raw("{\"a\":1}", d8), "tensor 'a'"},
            {raw(ok.replace("F32", "F33"), d8), "unknown dtype"},
            {raw(ok.replace("[2]", "[-2]"), d8), "shape"},
            {raw(ok.replace("[2]", "[2.5]"), d8), "shape"},
            {raw(ok.replace("[2]", "[\"2\"]"), d8), "shape"},
            {raw(ok.replace("[2]", "[2147483647,2147483647,2147483647]"), d8), "offsets span"},
            {raw(ok.replace("[0,8]", "[0,9]"), d8), "data_offsets"},
            {raw(ok.replace("[0,8]", "[8,0]"), d8), "data_offsets"},
            {raw(ok.replace("[0,8]", "[0,8,12]"), d8), "data_offsets"},
            {raw(ok, new byte[12]), "trailing"},
            {raw(ok, new byte[4]), "data_offsets"},
            {raw(ok.replace("}}", "},\"a\":{}}"), d8), "Duplicate"},
            {raw(ok.replace("\"dtype\"", "\"x\":1,\"dtype\""), d8), "unexpected field"},
            {raw(ok.replace("}}", "},\"__metadata__\":{\"k\":1}}"), d8), "__metadata__.k"},
            {raw("{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}", d8), "nesting"},
            {
                raw(ok.replace("F32", "F16").replace("[0,8]", "[0,4]"), new byte[4]),
                "not supported here"
            },
            {
                raw(
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                        d8),
                "overlaps"
            },
            {raw(ok.substring(0, 20) + "\u0000\n" + ok.substring(20), d8), "not valid JSON"},
        };
        for (Object[] c : cases) {
            Path f = write((byte[]) c[0]);
            assertThatThrownBy(() -> SafeTensors.read(f))
                    .as((String) c[1])
                    .isInstanceOf(FileFormatException.class)
                    .hasMessageContaining(f.toString())
                    .hasMessageContaining((String) c[1])
                    .hasMessageNotContaining("\n");
        }
    }

    @Test
    void emptyAndZeroSizedTensorsAreLegal() throws IOException {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("empty", Tensor.zeros(0, 3));
        m.put("one", Tensor.of(new float[] {1f}, 1));
        SafeTensors.Contents c = SafeTensors.read(write(SafeTensors.encode(m, Map.of(), true)));
        assertThat(c.tensors().get("empty").shape()).containsExactly(0, 3);
        assertThat(c.tensors().get("one").data()).containsExactly(1f);
    }

    @Test
    void numpyReadsOurWeights() throws Exception {
        Path script = Path.of(getClass().getResource("read_safetensors.py").toURI());
        Path f = write(SafeTensors.encode(sample(), Map.of("format", "x"), true));
        List<String> lines = python(script.toString(), f.toString());
        assertThat(lines).hasSize(4);
        // name, shape, float64 sum, first value: compared as numbers, not as text
        Object[][] want = {
            {
                "fc1.weight",
                "2x3",
                (double) 1.5f + -2f + 3.25f + Float.MIN_VALUE + -0f + 7e-30f,
                1.5
            },
            {"fc1.bias", "2", (double) 0.1f + (double) 0.2f, (double) 0.1f},
            {"scalar", "", 42.0, 42.0},
        };
        for (int i = 0; i < want.length; i++) {
            String[] w = lines.get(i).split(" ", -1);
            assertThat(w).as(lines.get(i)).hasSize(4);
            assertThat(w[0]).isEqualTo(want[i][0]);
            assertThat(w[1]).isEqualTo(want[i][1]);
            assertThat(Double.parseDouble(w[2]))
                    .isCloseTo((Double) want[i][2], Assertions.within(1e-12));
            assertThat(Double.parseDouble(w[3]))
                    .isEqualTo((Double) want[i][3]); // exact: float32 → float64
        }
        assertThat(lines.get(3)).isEqualTo("metadata arm.sha256,format");
    }

    /** Runs python3 with numpy, or skips the test (with the reason) when there is none. */
    static List<String> python(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("python3"));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p =
                    new ProcessBuilder("python3", "-c", "import numpy")
                            .redirectErrorStream(true)
                            .start();
        } catch (IOException e) {
            assumeTrue(false, "python3 is not installed: " + e.getMessage());
            return null;
        }
        assumeTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "python3 has no numpy");
        Process run = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).as(out).isZero();
        return out.lines().toList();
    }
}

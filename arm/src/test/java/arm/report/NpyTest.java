package arm.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The .npy files: the layout NumPy's format 1.0 prescribes, and a round trip. */
class NpyTest {
    @TempDir Path tmp;

    @Test
    void roundTripAndHeaderLayout() throws IOException {
        float[] v = new float[24];
        for (int i = 0; i < v.length; i++) v[i] = i * 0.5f - 3;
        Path f = tmp.resolve("a.npy");
        Npy.write(f, v, 2, 3, 4);
        byte[] bytes = Files.readAllBytes(f);
        assertThat(bytes[0] & 0xFF).isEqualTo(0x93);
        assertThat(new String(bytes, 1, 5, StandardCharsets.US_ASCII)).isEqualTo("NUMPY");
        int headerLen = (bytes[8] & 0xFF) | (bytes[9] & 0xFF) << 8;
        assertThat((10 + headerLen) % 64).isZero();
        String header = new String(bytes, 10, headerLen, StandardCharsets.US_ASCII);
        assertThat(header)
                .startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }")
                .endsWith("\n");
        assertThat(bytes).hasSize(10 + headerLen + 4 * 24);
        Npy.Array a = Npy.read(f);
        assertThat(a.shape()).containsExactly(2, 3, 4);
        assertThat(a.data()).containsExactly(v);

        Npy.write(f, new float[] {1, 2, 3}, 3);
        assertThat(Files.readString(f, StandardCharsets.ISO_8859_1)).contains("'shape': (3,), }");
        assertThat(Npy.read(f).shape()).containsExactly(3);
    }

    @Test
    void badFilesAreNamed() throws IOException {
        Path f = Files.writeString(tmp.resolve("b.npy"), "not numpy at all");
        assertThatThrownBy(() -> Npy.read(f))
                .hasMessageContaining("b.npy")
                .hasMessageContaining("not a .npy");
        assertThatThrownBy(() -> Npy.write(f, new float[5], 2, 3)).hasMessageContaining("5 values");
    }
}

package arm.kernels.cuda.elf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adapter on the real JCuda natives from Maven Central (the jars are on the test class path).
 */
class ElfAdapterTest {
    static final String BLAS = "/lib/libJCublas2-12.6.0-linux-x86_64.so";
    static final String DNN = "/lib/libJCudnn-11.7.0-linux-x86_64.so";
    static final String DNN_NAME = "libJCudnn-12.6.0-linux-x86_64.so";

    static byte[] res(String name) throws IOException {
        try (InputStream in = ElfAdapterTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name + " on the test class path").isNotNull();
            return in.readAllBytes();
        }
    }

    static ElfAdapter.Result blas13() throws IOException {
        return ElfAdapter.adapt(res(BLAS), Map.of("libcublas.so.12", "libcublas.so.13"), null);
    }

    static ElfAdapter.Result dnn9() throws IOException {
        return ElfAdapter.adapt(res(DNN), Map.of("libcudnn.so.8", "libcudnn.so.9"), DNN_NAME);
    }

    @Test
    void elfHashMatchesKnownValues() {
        // values from the gABI algorithm, checked against readelf -V of glibc's own versions
        assertThat(Elf64.elfHash("GLIBC_2.2.5")).isEqualTo(0x09691a75);
        assertThat(Elf64.elfHash("")).isZero();
    }

    @Test
    void originalsNeedCuda12AndCudnn8() throws IOException {
        Elf64 b = new Elf64(res(BLAS)), d = new Elf64(res(DNN));
        assertThat(b.needed()).contains("libcublas.so.12");
        assertThat(d.needed()).contains("libcudnn.so.8");
        assertThat(d.soname()).isEqualTo("libJCudnn-11.7.0-linux-x86_64.so");
        // the shipped hash must be what our hash function computes, or our recomputation proves
        // nothing
        for (Elf64 e : List.of(b, d))
            for (Elf64.Verneed vn : e.verneed)
                for (Elf64.Vernaux a : vn.aux())
                    assertThat(a.hash()).as(a.name()).isEqualTo(Elf64.elfHash(a.name()));
    }

    @Test
    void cublasIsRenamedEverywhere() throws IOException {
        Elf64 e = new Elf64(blas13().bytes());
        assertThat(e.needed()).contains("libcublas.so.13").doesNotContain("libcublas.so.12");
        assertThat(e.soname()).isEqualTo("libJCublas2-12.6.0-linux-x86_64.so");
        assertRenamedVersion(e, "libcublas.so.13", "libcublas.so.12");
    }

    @Test
    void cudnnIsRenamedAndGetsTheNameJcuda12AsksFor() throws IOException {
        Elf64 e = new Elf64(dnn9().bytes());
        assertThat(e.needed()).contains("libcudnn.so.9").doesNotContain("libcudnn.so.8");
        assertThat(e.soname()).isEqualTo(DNN_NAME);
        assertRenamedVersion(e, "libcudnn.so.9", "libcudnn.so.8");
    }

    static void assertRenamedVersion(Elf64 e, String now, String before) {
        int found = 0;
        for (Elf64.Verneed vn : e.verneed) {
            assertThat(vn.file()).isNotEqualTo(before);
            for (Elf64.Vernaux a : vn.aux()) {
                assertThat(a.name()).isNotEqualTo(before);
                if (a.name().equals(now)) {
                    found++;
                    assertThat(vn.file()).isEqualTo(now);
                    assertThat(a.hash()).isEqualTo(Elf64.elfHash(now));
                    assertThat(a.flags() & Elf64.VER_FLG_WEAK).isEqualTo(Elf64.VER_FLG_WEAK);
                } else {
                    assertThat(a.flags() & Elf64.VER_FLG_WEAK).as("untouched " + a.name()).isZero();
                }
            }
        }
        assertThat(found).isEqualTo(1);
    }

    @Test
    void onlyTheEditedBytesChange() throws IOException {
        for (byte[][] pair :
                new byte[][][] {{res(BLAS), blas13().bytes()}, {res(DNN), dnn9().bytes()}}) {
            byte[] a = pair[0], b = pair[1];
            assertThat(b).hasSameSizeAs(a);
            Elf64 e = new Elf64(a);
            List<long[]> allowed = new ArrayList<>(); // [from, to) ranges that may differ
            allowed.add(new long[] {e.dynstrOff, e.dynstrOff + e.dynstrSize});
            for (Elf64.Verneed vn : e.verneed)
                for (Elf64.Vernaux x : vn.aux())
                    allowed.add(new long[] {x.at(), x.at() + 6}); // hash + flags
            int changedInDynstr = 0;
            for (int i = 0; i < a.length; i++) {
                if (a[i] == b[i]) continue;
                final long pos = i;
                assertThat(allowed.stream().anyMatch(r -> pos >= r[0] && pos < r[1]))
                        .as("byte " + i + " changed")
                        .isTrue();
                if (i >= e.dynstrOff && i < e.dynstrOff + e.dynstrSize) changedInDynstr++;
            }
            assertThat(changedInDynstr).isBetween(1, 64); // a few digits of a few names
        }
    }

    @Test
    void unversionClearsOnlyTheRenamedVersionIndex() throws IOException {
        Elf64 before = new Elf64(res(BLAS));
        int idx = -1;
        for (Elf64.Verneed vn : before.verneed)
            for (Elf64.Vernaux a : vn.aux())
                if (a.name().equals("libcublas.so.12")) idx = a.other();
        Elf64 after =
                new Elf64(
                        ElfAdapter.adapt(
                                        res(BLAS),
                                        Map.of("libcublas.so.12", "libcublas.so.13"),
                                        null,
                                        true)
                                .bytes());
        int changed = 0;
        for (int i = 0; i < before.versymCount; i++) {
            if ((before.versym(i) & 0x7fff) == idx) {
                assertThat(after.versym(i)).isEqualTo(1);
                changed++;
            } else assertThat(after.versym(i)).isEqualTo(before.versym(i));
        }
        assertThat(changed).isGreaterThan(400); // JCublas2 imports ~490 cuBLAS functions
    }

    @Test
    void noRenameLeavesTheFileIdentical() throws IOException {
        byte[] a = res(BLAS);
        assertThat(ElfAdapter.adapt(a, Map.of(), null).bytes()).isEqualTo(a);
    }

    @Test
    void refusesRenamesThatChangeLength() {
        assertThatThrownBy(
                        () ->
                                ElfAdapter.adapt(
                                        res(BLAS),
                                        Map.of("libcublas.so.12", "libcublas.so.100"),
                                        null))
                .hasMessageContaining("length");
    }

    @Test
    void refusesNonElf() {
        assertThatThrownBy(() -> new Elf64(new byte[100])).hasMessageContaining("ELF");
    }

    /**
     * Cross-check with binutils where present: readelf sees the same NEEDED and version entries.
     */
    @Test
    void readelfAgrees(@TempDir Path tmp) throws Exception {
        Path readelf = Path.of("/usr/bin/readelf");
        assumeTrue(Files.isExecutable(readelf), "readelf not installed");
        Path f = tmp.resolve("blas.so");
        Files.write(f, blas13().bytes());
        String out = run(readelf.toString(), "-d", "-V", "-W", f.toString());
        assertThat(out)
                .contains("Shared library: [libcublas.so.13]")
                .doesNotContain("libcublas.so.12");
        assertThat(out).containsPattern("Name: libcublas.so.13\\s+Flags: WEAK");
        Path g = tmp.resolve("dnn.so");
        Files.write(g, dnn9().bytes());
        out = run(readelf.toString(), "-d", "-V", "-W", g.toString());
        assertThat(out)
                .contains("Library soname: [" + DNN_NAME + "]")
                .contains("Shared library: [libcudnn.so.9]");
        assertThat(out)
                .containsPattern("Name: libcudnn.so.9\\s+Flags: WEAK")
                .doesNotContain("libcudnn.so.8");
    }

    static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}

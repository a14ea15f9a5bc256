package arm.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import arm.kernels.cpu.CpuBatchNorm.Path;
import arm.kernels.cpu.ref.BatchNormArrays;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * CpuBatchNorm's choice of kernel ({@code -Darm.bn}) and the bits of its default: the same with 1,
 * 2 or 3 kernel threads and with the Vector API's C1 fallback (child JVMs, as in {@link
 * ThreadCountTest}), at ResNet18's planes, plain and counted, with and without the fused ReLU.
 */
class CpuBatchNormTest {

    @Test
    void simdWhereTheVectorApiRunsNativeVectorsFastOtherwise() {
        assertThat(CpuBatchNorm.choose(null, true, true)).isEqualTo(Path.SIMD);
        assertThat(CpuBatchNorm.choose(" ", true, true)).isEqualTo(Path.SIMD);
        assertThat(CpuBatchNorm.choose(null, true, false)).isEqualTo(Path.FAST);
        assertThat(CpuBatchNorm.choose(null, false, false)).isEqualTo(Path.FAST);
        assertThat(CpuBatchNorm.choose("SIMD", true, false)).isEqualTo(Path.SIMD);
        assertThat(CpuBatchNorm.choose("fast", true, true)).isEqualTo(Path.FAST);
        assertThat(CpuBatchNorm.choose("naive", false, false)).isEqualTo(Path.NAIVE);
        assertThatThrownBy(() -> CpuBatchNorm.choose("simd", false, false))
                .hasMessageContaining("Vector API");
        assertThatThrownBy(() -> CpuBatchNorm.choose("vector", true, true))
                .hasMessageContaining("-Darm.bn=vector")
                .hasMessageContaining("naive, fast, simd");
    }

    /**
     * Before JDK 25 the default keeps to one vector shape: with AVX-512 (16 lanes elsewhere) the
     * 8-lane SIMD kernel gives way to the fast one, since two shapes in one JVM slow every other
     * kernel there.
     */
    @Test
    void defaultKeepsOneVectorShapeBeforeJdk25() {
        if (System.getProperty("arm.bn") != null || CpuGemm.active() != CpuGemm.Path.SIMD) return;
        boolean wide = CpuGemm.path().contains("16 float lanes");
        boolean old = Runtime.version().feature() < 25;
        if (old && wide) assertThat(CpuBatchNorm.path()).isEqualTo("fast");
        if (!old) assertThat(CpuBatchNorm.path()).isEqualTo("simd");
    }

    @Test
    void usingRunsTheNamedKernelThenRestores() {
        String before = CpuBatchNorm.path();
        assertThat(CpuBatchNorm.using("naive", CpuBatchNorm::path)).isEqualTo("naive");
        assertThat(CpuBatchNorm.path()).isEqualTo(before);
        assertThatThrownBy(() -> CpuBatchNorm.using("nope", () -> 1))
                .hasMessageContaining("-Darm.bn=nope");
        assertThat(CpuBatchNorm.path()).isEqualTo(before);
    }

    /** The default kernels' bits with 1 and 3 threads and under C1 equal this JVM's. */
    @Test
    void defaultGivesTheSameBitsOnAnyThreadCountAndCompiledOrNot() throws Exception {
        String here = fingerprint();
        for (String flag : List.of("-Darm.threads=1", "-Darm.threads=3", "-XX:TieredStopAtLevel=1"))
            assertThat(child(flag)).as(flag).isEqualTo("fingerprint " + here);
    }

    private static String child(String flag) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp =
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector"));
        String bn = System.getProperty("arm.bn");
        if (bn != null) cmd.add("-Darm.bn=" + bn);
        cmd.addAll(List.of("-Xmx512m", flag, "-cp", cp, CpuBatchNormTest.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().filter(l -> l.startsWith("fingerprint ")).findFirst().orElse(out);
    }

    /** Child entry point: prints the fingerprint computed under this JVM's settings. */
    public static void main(String[] args) {
        System.out.println("fingerprint " + fingerprint());
    }

    /**
     * Hashes of y, the batch statistics, the running statistics, dx, dγ and dβ, per shape "N-C-HW"
     * (N = 10: counted to 100) and fused ReLU or not; large enough to be split by channel.
     */
    static String fingerprint() {
        StringBuilder sb = new StringBuilder(CpuBatchNorm.path());
        SplittableRandom r = new SplittableRandom(3);
        int[][] shapes = {
            {30, 20, 1024},
            {30, 40, 256},
            {30, 80, 64},
            {30, 160, 16},
            {10, 20, 1024},
            {10, 160, 16},
            {7, 5, 33}
        };
        int[] counts = {14, 8, 11, 9, 12, 7, 10, 13, 6, 10};
        for (int[] s : shapes)
            for (boolean relu : new boolean[] {false, true}) {
                int n = s[0], c = s[1], hw = s[2], size = n * c * hw;
                float[] x = ThreadCountTest.random(r, size), dy = ThreadCountTest.random(r, size);
                float[] y = new float[size], dx = new float[size], dg = new float[c];
                float[] db = new float[c], rm = new float[c], rv = new float[c];
                Arrays.fill(rv, 1f);
                BatchNormArrays a =
                        new BatchNormArrays(
                                n,
                                c,
                                hw,
                                true,
                                ThreadCountTest.random(r, c),
                                ThreadCountTest.random(r, c),
                                1e-5f,
                                new float[c],
                                new float[c],
                                n == counts.length ? counts : null,
                                rm,
                                rv,
                                0.1f);
                CpuBatchNorm.forward(a, x, relu, y);
                CpuBatchNorm.backward(a, x, relu ? y : null, dy, dx, dg, db);
                for (float[] v : List.of(y, a.mean(), a.var(), rm, rv, dx, dg, db))
                    sb.append(' ').append(ThreadCountTest.hash(v));
            }
        return sb.toString();
    }
}

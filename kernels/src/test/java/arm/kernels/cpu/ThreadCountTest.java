package arm.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import arm.tensor.Shape;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Results must not depend on the kernels' thread pool (-Darm.threads): a parallel kernel cuts its
 * work into parts fixed by the shapes, and threads only decide who computes which part. Checked by
 * running the parallel kernels (convolution forward, input and weight gradients on ResNet-like
 * shapes, and a GEMM) here (the default: every core) and in child JVMs with 1, 2 and 3 threads, and
 * comparing the bits of every output.
 */
class ThreadCountTest {

    @Test
    void convolutionAndGemmGiveTheSameBitsWithOneTwoOrThreeThreads() throws Exception {
        String here = fingerprint();
        for (String threads : List.of("1", "2", "3")) {
            String java = ProcessHandle.current().info().command().orElse("java");
            String cp =
                    System.getProperty(
                            "surefire.test.class.path", System.getProperty("java.class.path"));
            List<String> cmd =
                    new ArrayList<>(
                            List.of(
                                    java,
                                    "--add-modules",
                                    "jdk.incubator.vector",
                                    "-Xmx512m",
                                    "-Darm.threads=" + threads,
                                    "-cp",
                                    cp,
                                    ThreadCountTest.class.getName()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(
                            out.lines()
                                    .filter(l -> l.startsWith("fingerprint "))
                                    .findFirst()
                                    .orElse(out))
                    .as("with -Darm.threads=" + threads)
                    .isEqualTo("fingerprint " + here);
        }
    }

    /**
     * The GEMMs must not depend on the JIT either: a fresh JVM (a resumed run) computes its first
     * iterations before C2 compiles the kernels. Each JDK at hand (this one, and Temurin 25 where
     * it is installed: from JDK 21 on, C2 may reorder Vector API float reductions) runs the GEMMs
     * in a child warmed up until C2 has compiled them and in a child limited to C1, where the
     * Vector API runs its Java fallback; both must give the same bits. (GemmSimd therefore sums
     * lanes in a fixed tree rather than with reduceLanes(ADD), whose order is unspecified.)
     */
    @Test
    void gemmGivesTheSameBitsCompiledOrNot() throws Exception {
        List<String> javas =
                new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        Path jdk25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
        if (Files.isExecutable(jdk25)) javas.add(jdk25.toString());
        for (String java : javas) {
            String warm = child(java, "gemm-warm"),
                    c1 = child(java, "-XX:TieredStopAtLevel=1", "gemm");
            assertThat(c1).as(java + ": C1 (Vector API fallback) vs C2").isEqualTo(warm);
        }
    }

    private static String child(String java, String... args) throws Exception {
        String cp =
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector"));
        for (String a : args) if (a.startsWith("-")) cmd.add(a);
        cmd.addAll(List.of("-cp", cp, ThreadCountTest.class.getName()));
        for (String a : args) if (!a.startsWith("-")) cmd.add(a);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return out.lines().filter(l -> l.startsWith("fingerprint ")).findFirst().orElse(out);
    }

    /**
     * Small GEMMs on the paths ARM's MLP uses (dot path for x·Wᵀ, packed kernel), plus odd sizes.
     */
    static String gemmFingerprint() {
        SplittableRandom rng = new SplittableRandom(5);
        StringBuilder sb = new StringBuilder(CpuGemm.active().toString());
        int[][] shapes = {{10, 400, 784}, {10, 10, 400}, {20, 784, 400}, {7, 13, 129}, {1, 33, 17}};
        for (int[] sh : shapes)
            for (boolean tb : new boolean[] {false, true}) {
                int m = sh[0], n = sh[1], k = sh[2];
                float[] a = random(rng, m * k), b = random(rng, k * n), c = new float[m * n];
                CpuGemm.sgemm(false, tb, m, n, k, 1f, a, 0, k, b, 0, tb ? k : n, 0f, c, 0, n);
                sb.append(' ').append(hash(c));
            }
        return sb.toString();
    }

    /** Child entry point: prints the fingerprint computed under this JVM's settings. */
    public static void main(String[] args) {
        String what = args.length > 0 ? args[0] : "";
        if (what.equals("gemm-warm"))
            for (int i = 0; i < 400; i++) gemmFingerprint(); // until C2 has them
        System.out.println(
                "fingerprint " + (what.startsWith("gemm") ? gemmFingerprint() : fingerprint()));
    }

    /** Hashes of every output bit, per kernel and shape, plus the active paths and thread count. */
    static String fingerprint() {
        StringBuilder sb = new StringBuilder(CpuConv.active() + "/" + CpuGemm.active());
        int[][] shapes = { // n, ci, h, w, co, k, stride, pad: ResNet18 (nf = 20) layers, a batch of
            // 10
            {10, 3, 32, 32, 20, 3, 1, 1},
            {10, 20, 32, 32, 20, 3, 1, 1},
            {10, 20, 32, 32, 40, 3, 2, 1},
            {10, 40, 16, 16, 40, 3, 1, 1},
            {10, 80, 8, 8, 160, 1, 2, 0},
            {7, 160, 4, 4, 160, 3, 1, 1},
            {10, 80, 8, 8, 80, 3, 1, 1},
            {10, 160, 4, 4, 160, 3, 1, 1},
        };
        SplittableRandom rng = new SplittableRandom(11);
        for (int[] s : shapes) {
            int n = s[0], ci = s[1], h = s[2], w = s[3], co = s[4], k = s[5], st = s[6], pad = s[7];
            int ho = Shape.convOut(h, k, st, pad), wo = Shape.convOut(w, k, st, pad);
            float[] x = random(rng, n * ci * h * w),
                    wt = random(rng, co * ci * k * k),
                    dy = random(rng, n * co * ho * wo);
            float[] y = new float[n * co * ho * wo],
                    dx = new float[x.length],
                    dw = new float[wt.length];
            CpuConv.forward(x, wt, y, n, ci, h, w, co, k, k, st, pad);
            CpuConv.backwardInput(dy, wt, dx, n, ci, h, w, co, k, k, st, pad);
            CpuConv.backwardWeight(x, dy, dw, n, ci, h, w, co, k, k, st, pad);
            sb.append(' ')
                    .append(hash(y))
                    .append('/')
                    .append(hash(dx))
                    .append('/')
                    .append(hash(dw));
        }
        float[] a = random(rng, 100 * 784), b = random(rng, 784 * 400), c = new float[100 * 400];
        CpuGemm.sgemm(false, false, 100, 400, 784, 1f, a, 0, 784, b, 0, 400, 0f, c, 0, 400);
        sb.append(' ').append(hash(c));
        float[] x = random(rng, 10 * 784), w = random(rng, 800 * 784), y = new float[10 * 800];
        CpuGemm.sgemm(false, true, 10, 800, 784, 1f, x, 0, 784, w, 0, 784, 0f, y, 0, 800); // dot
        return sb.append(' ').append(hash(y)).toString();
    }

    static float[] random(SplittableRandom rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (rng.nextDouble() * 2 - 1);
        return v;
    }

    static String hash(float[] v) {
        long h = 1125899906842597L;
        for (float f : v) h = 31 * h + Float.floatToRawIntBits(f);
        return Long.toHexString(h);
    }
}

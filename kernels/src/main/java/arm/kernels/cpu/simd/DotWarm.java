package arm.kernels.cpu.simd;

/**
 * Which twin each tile of the dot path runs: the Vector API kernel ({@link GemmSimd.Dot#dot4x4},
 * {@code dot2x4}, {@code dot}) or its scalar twin ({@link DotScalar}), which gives the same bits.
 * Until C2 has compiled a vector kernel, the interpreter and C1 run it on boxed vector objects:
 * measured from a cold JVM on the AVX-512 VM, a 10×784×400 GEMM took 340–560 ms interpreted and
 * 9–180 ms in C1 on the vector kernels, 80 ms interpreted and ~8 ms in C1 on the scalar twins (0.7
 * ms once C2 has them; the vector kernels in C2: 0.07 ms).
 *
 * <p>Decided per kernel, by measuring: while a kernel is warming up, one tile in {@link #PROBE}
 * runs the vector kernel (so that its invocation counters still climb and the JIT compiles it;
 * {@code arm.sh} lowers these kernels' compile thresholds, so few calls are needed), the others the
 * scalar twin, one in {@link #PROBE} of those timed too. Once a vector tile takes less than half
 * the best scalar time per K element, the kernel runs vectors for good (a field read per tile after
 * that). Any interleaving gives the same bits; the rule only decides the speed. The state is plain
 * static fields shared by all threads: a lost update only costs a measurement.
 *
 * <p>{@code -Darm.gemm.dotWarm=auto} (default), {@code off} (the vector kernels always) or {@code
 * scalar} (the scalar twins always: tests, benchmarks).
 */
final class DotWarm {
    private DotWarm() {}

    static final int AUTO = 0, OFF = 1, SCALAR = 2;

    static final int MODE = mode(System.getProperty("arm.gemm.dotWarm", "auto"));

    static int mode(String s) {
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "auto", "" -> AUTO;
            case "off", "vector" -> OFF;
            case "scalar" -> SCALAR;
            default ->
                    throw new IllegalArgumentException(
                            "arm.gemm.dotWarm=" + s + ": expected auto, off or scalar");
        };
    }

    /** While warming up, one tile in PROBE runs the vector kernel and one the timed scalar twin. */
    static final int PROBE = 16;

    /**
     * The kernels: dot4x4, dot2x4, dot; the panel path's micro-kernels by tile (5×2, 5×4, 10×2,
     * 8×3).
     */
    static final int K4 = 0, K2 = 1, K1 = 2, P5X2 = 3, P5X4 = 4, P10X2 = 5, P8X3 = 6;

    /** Per dot kernel: runs the vector kernel for good (read on every tile). */
    static boolean vector4 = MODE == OFF, vector2 = MODE == OFF, vector1 = MODE == OFF;

    /** Per panel tile (P5X2 - 3 …): runs the vector kernel for good. */
    static final boolean[] PANEL_VECTOR = {MODE == OFF, MODE == OFF, MODE == OFF, MODE == OFF};

    private static final int[] CALLS = new int[7];

    /** Best nanoseconds per K element of a scalar tile, per kernel. */
    private static final double[] SCALAR_BEST = new double[7];

    static {
        java.util.Arrays.fill(SCALAR_BEST, Double.MAX_VALUE);
    }

    /** The panel kernel id of a tile code (GemmSimd.T5X2 …). */
    static int panel(int tile) {
        return switch (tile) {
            case GemmSimd.T5X4 -> P5X4;
            case GemmSimd.T10X2 -> P10X2;
            case GemmSimd.T8X3 -> P8X3;
            default -> P5X2;
        };
    }

    /** What the tile about to run should be: 0 scalar, 1 scalar timed, 2 vector timed. */
    static int turn(int kernel) {
        if (MODE == SCALAR) return 0;
        int n = CALLS[kernel]++ % PROBE;
        return n == 0 ? 2 : n == PROBE / 2 ? 1 : 0;
    }

    /** Records a timed tile of kc K elements; switches the kernel to vectors once they win. */
    static void record(int kernel, boolean vector, long nanos, int kc) {
        double perK = (double) nanos / Math.max(kc, 1);
        if (!vector) {
            if (perK < SCALAR_BEST[kernel]) SCALAR_BEST[kernel] = perK;
        } else if (2 * perK < SCALAR_BEST[kernel]) {
            switch (kernel) {
                case K4 -> vector4 = true;
                case K2 -> vector2 = true;
                case K1 -> vector1 = true;
                default -> PANEL_VECTOR[kernel - P5X2] = true;
            }
        }
    }

    /** {@link GemmSimd#kernel} or its twin {@link PanelScalar#kernel}, for panel kernel id. */
    static void panelKernel(
            int id,
            int tile,
            int kc,
            float[] a,
            int ao,
            float[] b,
            int bo,
            int bs,
            float[] c,
            int ci,
            int ldc,
            boolean add) {
        int t = turn(id);
        int mr = tile / 100, nr = tile % 100 * GemmSimd.L;
        if (t == 0) {
            PanelScalar.kernel(mr, nr, kc, a, ao, b, bo, bs, c, ci, ldc, add);
            return;
        }
        long t0 = System.nanoTime();
        if (t == 2) GemmSimd.kernel(tile, kc, a, ao, b, bo, bs, c, ci, ldc, add);
        else PanelScalar.kernel(mr, nr, kc, a, ao, b, bo, bs, c, ci, ldc, add);
        record(id, t == 2, System.nanoTime() - t0, kc);
    }

    /** {@link GemmSimd.Dot#dot4x4} or its twin. */
    static void dot4x4(
            int kc,
            float[] a,
            int a0,
            int as,
            float[] b,
            int b0,
            int bs,
            float[] c,
            int ci,
            int ldc,
            float alpha,
            float beta,
            float[] lanes) {
        int t = turn(K4);
        if (t == 0) {
            DotScalar.dot4x4(kc, a, a0, as, b, b0, bs, c, ci, ldc, alpha, beta);
            return;
        }
        long t0 = System.nanoTime();
        if (t == 2) GemmSimd.Dot.dot4x4(kc, a, a0, as, b, b0, bs, c, ci, ldc, alpha, beta, lanes);
        else DotScalar.dot4x4(kc, a, a0, as, b, b0, bs, c, ci, ldc, alpha, beta);
        record(K4, t == 2, System.nanoTime() - t0, kc);
    }

    /** {@link GemmSimd.Dot#dot2x4} or its twin. */
    static void dot2x4(
            int kc,
            float[] a,
            int a0,
            int as,
            float[] b,
            int b0,
            int bs,
            float[] c,
            int ci,
            int ldc,
            float alpha,
            float beta,
            float[] lanes) {
        int t = turn(K2);
        if (t == 0) {
            DotScalar.dot2x4(kc, a, a0, as, b, b0, bs, c, ci, ldc, alpha, beta);
            return;
        }
        long t0 = System.nanoTime();
        if (t == 2) GemmSimd.Dot.dot2x4(kc, a, a0, as, b, b0, bs, c, ci, ldc, alpha, beta, lanes);
        else DotScalar.dot2x4(kc, a, a0, as, b, b0, bs, c, ci, ldc, alpha, beta);
        record(K2, t == 2, System.nanoTime() - t0, kc);
    }

    /** {@link GemmSimd.Dot#dot} or its twin. */
    static float dot(int kc, float[] a, int a0, float[] b, int b0, float[] lanes) {
        int t = turn(K1);
        if (t == 0) return DotScalar.dot(kc, a, a0, b, b0);
        long t0 = System.nanoTime();
        float s =
                t == 2
                        ? GemmSimd.Dot.dot(kc, a, a0, b, b0, lanes)
                        : DotScalar.dot(kc, a, a0, b, b0);
        record(K1, t == 2, System.nanoTime() - t0, kc);
        return s;
    }
}

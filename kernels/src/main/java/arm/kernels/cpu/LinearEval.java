package arm.kernels.cpu;

import arm.kernels.cpu.ref.LinearEvalRef;
import arm.kernels.cpu.simd.GemmSimd;
import arm.kernels.cpu.simd.LinearEvalSimd;

/**
 * An eval-mode fully connected layer in one pass: y = act(x·Wᵀ + b), W packed once ({@link #pack})
 * and reused by every batch of an evaluation. Shapes: x [m, k] (row stride ldx), W [n, k]
 * (PyTorch's Linear layout), b [n], y [m, n].
 *
 * <p>Bits: every y[i, j] is the in-order FMA chain over k from +0, plus b[j], then max(·, 0): what
 * {@link CpuGemm}'s SIMD panel path (every tile sums each element that way), the broadcast add and
 * ReLU give for the same layer in three passes ({@link #sameBitsAsGemm} says for which m). The SIMD
 * kernel needs the Vector API; {@link LinearEvalRef} is its naive twin. Single-threaded: an
 * evaluation runs beside training or another run.
 */
public final class LinearEval {
    private LinearEval() {}

    /**
     * W and b as the kernel reads them (the SIMD kernel's panels, or W itself for the naive loop).
     */
    public static final class Packed {
        public final int n, k;
        final float[] panels, bias;
        final float[] w, b; // naive twin

        /** Every packed weight finite: zero inputs may be skipped (same bits). */
        final boolean finite;

        Packed(int n, int k, float[] panels, float[] bias, float[] w, float[] b) {
            this.n = n;
            this.k = k;
            this.panels = panels;
            this.bias = bias;
            this.w = w;
            this.b = b;
            this.finite = panels != null && LinearEvalSimd.allFinite(panels);
        }
    }

    /**
     * Whether the SIMD kernel runs here: the SIMD GEMM path is active (so the Vector API is there)
     * and vectors hold at least 16 floats (AVX-512: its 4×5-vector tile needs 32 registers), unless
     * {@code -Darm.evalFast=false}.
     */
    public static boolean available() {
        return Holder.ON;
    }

    /**
     * Whether {@code available()} and a layer on m rows gives the bits of {@link CpuGemm#sgemm}
     * with a transposed B, the broadcast add and ReLU: true where the SIMD GEMM takes its panel
     * path (m at least {@code GemmSimd}'s dot/panel crossover), whose elements are in-order FMA
     * chains; below it the dot path sums lanes in another order.
     */
    public static boolean sameBitsAsGemm(int m) {
        return available() && m >= Holder.PANEL_MIN_M;
    }

    /** W [n, k] and b [n] (copied) for {@link #forward}. */
    public static Packed pack(float[] w, int wOff, float[] b, int bOff, int n, int k) {
        if (available()) {
            return new Packed(
                    n,
                    k,
                    LinearEvalSimd.packWeights(w, wOff, n, k),
                    LinearEvalSimd.packBias(b, bOff, n),
                    null,
                    null);
        }
        float[] wc = new float[n * k], bc = new float[n];
        System.arraycopy(w, wOff, wc, 0, n * k);
        System.arraycopy(b, bOff, bc, 0, n);
        return new Packed(n, k, null, null, wc, bc);
    }

    /**
     * y[yOff …] (m rows of n) = act(x·Wᵀ + b); x row i at xOff + i·ldx. With the SIMD kernel and
     * finite weights, groups of rows whose inputs are mostly exact zeros (MNIST's pixels) run their
     * chains over the nonzero inputs only ({@link LinearEvalSimd#forwardSparse}: the same bits),
     * unless {@code -Darm.evalSparse=false}; a model with a non-finite weight takes the dense
     * kernel.
     */
    public static void forward(
            float[] x, int xOff, int ldx, int m, Packed w, boolean relu, float[] y, int yOff) {
        if (w.panels == null)
            LinearEvalRef.forward(x, xOff, ldx, m, w.k, w.w, w.b, w.n, relu, y, yOff);
        else if (w.finite && sparse)
            LinearEvalSimd.forwardSparse(
                    x,
                    xOff,
                    ldx,
                    m,
                    w.k,
                    w.panels,
                    w.bias,
                    w.n,
                    relu,
                    y,
                    yOff,
                    LinearEvalSimd.SPARSE_ROWS,
                    LinearEvalSimd.SPARSE_MAX_FILL,
                    SparseLists.SPARSE.get());
        else LinearEvalSimd.forward(x, xOff, ldx, m, w.k, w.panels, w.bias, w.n, relu, y, yOff);
    }

    /**
     * Inputs x [m, k] that a caller evaluates again and again (an evaluation set's images), with
     * the zero-skipping path's lists built once ({@link #prepare}); read only, so threads may share
     * one.
     */
    public static final class Prepared {
        public final int m, k;
        final float[] x;
        final LinearEvalSimd.Sparse lists; // null: the dense kernel (or no SIMD kernel)

        Prepared(float[] x, int m, int k, LinearEvalSimd.Sparse lists) {
            this.x = x;
            this.m = m;
            this.k = k;
            this.lists = lists;
        }
    }

    /**
     * x [m, k] row-major (kept, not copied: the caller must not change it) for {@link
     * #forward(Prepared, Packed, boolean, float[], int)}; the lists only where {@link #sparse()}.
     */
    public static Prepared prepare(float[] x, int m, int k) {
        LinearEvalSimd.Sparse lists =
                sparse()
                        ? LinearEvalSimd.prepare(
                                x,
                                0,
                                k,
                                m,
                                k,
                                LinearEvalSimd.SPARSE_ROWS,
                                LinearEvalSimd.SPARSE_MAX_FILL)
                        : null;
        return new Prepared(x, m, k, lists);
    }

    /**
     * {@link #forward(float[], int, int, int, Packed, boolean, float[], int)} on prepared inputs:
     * the same bits, without counting the inputs' zeros and building the lists again.
     */
    public static void forward(Prepared in, Packed w, boolean relu, float[] y, int yOff) {
        if (w.k != in.k) throw new IllegalArgumentException("k " + in.k + " against " + w.k);
        if (w.panels == null || !(w.finite && sparse)) {
            forward(in.x, 0, in.k, in.m, w, relu, y, yOff);
            return;
        }
        LinearEvalSimd.forwardPrepared(
                in.x, 0, in.k, in.m, in.k, w.panels, w.bias, w.n, relu, y, yOff, in.lists);
    }

    /** {@code -Darm.evalSparse=false}, or {@link #sparse(boolean)}: the dense kernel only. */
    private static volatile boolean sparse =
            !"false".equalsIgnoreCase(System.getProperty("arm.evalSparse", ""));

    /** Whether {@link #forward} skips zero inputs where the weights allow it. */
    public static boolean sparse() {
        return available() && sparse;
    }

    /**
     * Turns the zero-skipping path on or off (the same bits either way): a JVM that evaluates one
     * run does not earn back its compilation (docs/BENCHMARKS.md, MNIST section).
     */
    public static void sparse(boolean on) {
        sparse = on;
    }

    /**
     * The sparse path's lists, one per evaluating thread (two runs evaluate side by side); a class
     * of its own so that only the SIMD path loads the kernel's classes.
     */
    private static final class SparseLists {
        static final ThreadLocal<LinearEvalSimd.Sparse> SPARSE =
                ThreadLocal.withInitial(LinearEvalSimd.Sparse::new);
    }

    /** Loaded on the first call: names GemmSimd only where the SIMD path is active. */
    private static final class Holder {
        static final boolean ON =
                CpuGemm.active() == CpuGemm.Path.SIMD
                        && !"false".equalsIgnoreCase(System.getProperty("arm.evalFast", ""))
                        && GemmSimd.lanes() >= 16;
        static final int PANEL_MIN_M = ON ? GemmSimd.panelMinRowsTransB() : Integer.MAX_VALUE;
    }
}

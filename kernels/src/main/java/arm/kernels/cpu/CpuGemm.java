package arm.kernels.cpu;

import arm.kernels.cpu.fast.GemmBlocked;
import arm.kernels.cpu.ref.GemmRef;
import arm.kernels.cpu.simd.GemmSimd;
import java.lang.module.ModuleFinder;

/**
 * Chooses the SGEMM implementation once, at class load:
 *
 * <ul>
 *   <li>{@code -Darm.gemm=naive|blocked|simd} forces one;
 *   <li>otherwise SIMD ({@link GemmSimd}, Java Vector API) when the module {@code
 *       jdk.incubator.vector} is in the boot layer and {@code -Darm.simd=false} is not set;
 *   <li>otherwise the cache-blocked scalar path ({@link GemmBlocked}).
 * </ul>
 *
 * {@link #path()} names the choice (e.g. "simd (AVX2, 8 float lanes)") so that every result and
 * benchmark can report it. Large GEMMs are split by columns of C over the kernel threads ({@link
 * CpuThreads}, {@code -Darm.threads}, default every core) with the same bits for any count.
 * GemmSimd is only touched from {@link Simd}, a holder that the JVM loads the first time the SIMD
 * branch runs, so a JVM without the module never resolves it.
 */
public final class CpuGemm {
    private CpuGemm() {}

    public enum Path {
        NAIVE,
        BLOCKED,
        SIMD
    }

    private static final Path PATH =
            choose(
                    System.getProperty("arm.gemm"),
                    System.getProperty("arm.simd"),
                    vectorModulePresent());

    static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /**
     * Why the Vector API is off when the JVM lacks it, for the engine line (empty when it is
     * there): the java command needs {@code --add-modules jdk.incubator.vector}, or the JDK has no
     * such module.
     */
    public static String vectorApiNote() {
        if (vectorModulePresent()) return "";
        return ModuleFinder.ofSystem().find("jdk.incubator.vector").isPresent()
                ? "; no Vector API: java was started without --add-modules jdk.incubator.vector"
                : "; no Vector API: this JDK has no jdk.incubator.vector module";
    }

    /** The selection rule, pure so that it can be tested without restarting the JVM. */
    static Path choose(String forced, String simdProperty, boolean vectorModule) {
        boolean simdOff = simdProperty != null && simdProperty.trim().equalsIgnoreCase("false");
        Path fallback = vectorModule && !simdOff ? Path.SIMD : Path.BLOCKED;
        return PathChoice.choose("arm.gemm", forced, Path.class, Path.SIMD, vectorModule, fallback);
    }

    /**
     * Below this many multiply-adds a GEMM stays on one thread: the hand-off to a spinning worker
     * costs a few microseconds, a parked one tens (10x784x400 has 3.1e6, ~60 µs on one core).
     */
    static final long SPLIT_MIN_MACS = Long.getLong("arm.gemm.splitMin", 4_000_000L);

    /**
     * Columns per part are a multiple of this: whole register tiles of every SIMD width and tile
     * (16, 32, 48, 64 columns), whole cache lines.
     */
    static final int SPLIT_ALIGN = 192;

    public static Path active() {
        return PATH;
    }

    /** Threads a large GEMM is split over ({@link CpuThreads}). */
    public static int threads() {
        return CpuThreads.threads();
    }

    /** Tail of the line that describes the active setup, e.g. ", 2 threads" (empty for one). */
    public static String threadsNote() {
        int t = threads();
        return t == 1 ? "" : ", " + t + " threads for large GEMMs";
    }

    /** e.g. "simd (AVX2, 8 float lanes)", "blocked (scalar)", "naive". */
    public static String path() {
        return describe(PATH) + threadsNote();
    }

    public static String describe(Path p) {
        switch (p) {
            case SIMD:
                return "simd (" + Simd.describe() + ")";
            case BLOCKED:
                return "blocked (scalar)";
            default:
                return "naive";
        }
    }

    public static void sgemm(
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            float alpha,
            float[] a,
            int aOff,
            int lda,
            float[] b,
            int bOff,
            int ldb,
            float beta,
            float[] c,
            int cOff,
            int ldc) {
        long t0 = GemmStats.ON ? System.nanoTime() : 0;
        if (transB && !transA && held.length > 0 && holding && heldPath(b, bOff, ldb, m, n, k)) {
            Simd.dotPacked(find(b), m, alpha, a, aOff, lda, b, beta, c, cOff, ldc);
            if (GemmStats.ON) GemmStats.record(false, true, m, n, k, System.nanoTime() - t0);
            return;
        }
        sgemmSplit(
                PATH, threads(), transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta,
                c, cOff, ldc);
        if (GemmStats.ON) GemmStats.record(transA, transB, m, n, k, System.nanoTime() - t0);
    }

    /**
     * The same GEMM split by columns of C into up to {@code threads} independent GEMMs (C[:, j0:j1]
     * = alpha · op(A) · op(B)[:, j0:j1] + beta · C[:, j0:j1]) that {@link CpuThreads} runs on the
     * caller and its workers. Every part keeps all of M and K, so each element of C is summed by
     * the same kernel in the same order as without the split: the bits do not depend on the thread
     * count. Small GEMMs run on the caller alone.
     */
    public static void sgemmSplit(
            Path path,
            int threads,
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            float alpha,
            float[] a,
            int aOff,
            int lda,
            float[] b,
            int bOff,
            int ldb,
            float beta,
            float[] c,
            int cOff,
            int ldc) {
        int parts =
                (long) m * n * k < SPLIT_MIN_MACS || CpuThreads.serialNow()
                        ? 1
                        : Math.min(threads, (n + SPLIT_ALIGN - 1) / SPLIT_ALIGN);
        if (parts < 2) {
            sgemm(
                    path, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff,
                    ldc);
            return;
        }
        int step = ((n + parts - 1) / parts + SPLIT_ALIGN - 1) / SPLIT_ALIGN * SPLIT_ALIGN;
        int used = (n + step - 1) / step;
        CpuThreads.run(
                used,
                part -> {
                    int j0 = part * step, nj = Math.min(step, n - j0);
                    sgemm(
                            path,
                            transA,
                            transB,
                            m,
                            nj,
                            k,
                            alpha,
                            a,
                            aOff,
                            lda,
                            b,
                            bOff + (transB ? j0 * ldb : j0),
                            ldb,
                            beta,
                            c,
                            cOff + j0,
                            ldc);
                });
    }

    /** The same on an explicitly chosen path (tests and benchmarks). */
    public static void sgemm(
            Path path,
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            float alpha,
            float[] a,
            int aOff,
            int lda,
            float[] b,
            int bOff,
            int ldb,
            float beta,
            float[] c,
            int cOff,
            int ldc) {
        switch (path) {
            case SIMD:
                Simd.sgemm(
                        transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff,
                        ldc);
                break;
            case BLOCKED:
                GemmBlocked.sgemm(
                        transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff,
                        ldc);
                break;
            default:
                GemmRef.sgemm(
                        transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff,
                        ldc);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Constant B held packed (Backend.holdConstant)

    /**
     * B arrays promised constant, each with its packing; copied on write, read without a lock.
     * Weakly keyed: a hold never released (a learner dropped mid-run) goes once its B is collected.
     */
    private static volatile Held[] held = new Held[0];

    /** Packed arrays of released holds, for the next hold of the same size (f_cur's, each step). */
    private static final java.util.ArrayDeque<float[]> SPARE = new java.util.ArrayDeque<>();

    private static final int SPARE_MAX = 8;

    /** One held B [n, k] (offset 0, row stride k) and its packing for the dot path. */
    public static final class Held {
        final java.lang.ref.WeakReference<float[]> b;
        final int n, k;
        final Object pack;

        Held(float[] b, int n, int k, Object pack) {
            this.b = new java.lang.ref.WeakReference<>(b);
            this.n = n;
            this.k = k;
            this.pack = pack;
        }
    }

    /**
     * Packs B [n, k] (offset 0, row stride k) for the SIMD dot path and registers it until {@link
     * #release}; null where that path would not use it (not the SIMD path, vectors under 16 floats,
     * fewer than two vectors of columns, k beyond one dot-path slice), and then nothing is held.
     */
    public static Held hold(float[] b, int n, int k) {
        if (!holding || PATH != Path.SIMD || !Simd.dotPackable(n, k)) return null;
        float[] reuse = null;
        int size = Simd.packFloats(n, k);
        synchronized (CpuGemm.class) {
            for (java.util.Iterator<float[]> it = SPARE.iterator(); it.hasNext(); ) {
                float[] f = it.next();
                if (f.length == size) {
                    it.remove();
                    reuse = f;
                    break;
                }
            }
        }
        Held h = new Held(b, n, k, Simd.packDot(b, n, k, reuse));
        synchronized (CpuGemm.class) {
            java.util.List<Held> next = new java.util.ArrayList<>(held.length + 1);
            for (Held o : held) if (o.b.get() != null) next.add(o);
            next.add(h);
            held = next.toArray(new Held[0]);
        }
        return h;
    }

    /** Forgets {@code h} (from {@link #hold}; null is ignored); its array may serve the next. */
    public static void release(Held h) {
        if (h == null) return;
        synchronized (CpuGemm.class) {
            Held[] old = held;
            int i = 0;
            while (i < old.length && old[i] != h) i++;
            if (i == old.length) return;
            Held[] next = new Held[old.length - 1];
            System.arraycopy(old, 0, next, 0, i);
            System.arraycopy(old, i + 1, next, i, old.length - i - 1);
            held = next;
            if (SPARE.size() == SPARE_MAX) SPARE.removeFirst();
            SPARE.addLast(Simd.packArray(h.pack));
        }
    }

    /**
     * {@code -Darm.gemm.hold=false}, or {@link #holding(boolean)}: no B is packed or looked up,
     * every GEMM takes its usual path (the same bits).
     */
    private static volatile boolean holding =
            !"false".equalsIgnoreCase(System.getProperty("arm.gemm.hold", "true"));

    /** Turns holding on or off (benchmarks alternate the two in one JVM). */
    public static void holding(boolean on) {
        holding = on;
    }

    /** Whether held B are packed and looked up. */
    public static boolean holding() {
        return holding;
    }

    /** Holds registered, collected ones not yet purged included (tests). */
    static int heldCount() {
        return held.length;
    }

    /** Whether b is held (tests). */
    static boolean isHeld(float[] b) {
        return findHeld(b) != null;
    }

    private static Held findHeld(float[] b) {
        for (Held h : held) if (h.b.get() == b) return h;
        return null;
    }

    private static Object find(float[] b) {
        return findHeld(b).pack;
    }

    /**
     * Whether a GEMM with a transposed B takes the packed dot path: B is held with this shape and
     * layout, the SIMD path would take its dot path (few rows) on one thread.
     */
    private static boolean heldPath(float[] b, int bOff, int ldb, int m, int n, int k) {
        Held h = findHeld(b);
        return h != null
                && bOff == 0
                && ldb == k
                && h.n == n
                && h.k == k
                && m < Simd.panelMinRowsTransB()
                && ((long) m * n * k < SPLIT_MIN_MACS || threads() == 1 || CpuThreads.serialNow());
    }

    /** Holder: the only place that names GemmSimd; loaded on the first SIMD call. */
    private static final class Simd {
        static String describe() {
            return GemmSimd.describe();
        }

        static boolean dotPackable(int n, int k) {
            return GemmSimd.dotPackable(n, k);
        }

        static int packFloats(int n, int k) {
            return GemmSimd.DotPack.floats(n, k);
        }

        static float[] packArray(Object pack) {
            return ((GemmSimd.DotPack) pack).array();
        }

        static int panelMinRowsTransB() {
            return GemmSimd.panelMinRowsTransB();
        }

        static Object packDot(float[] b, int n, int k, float[] reuse) {
            return GemmSimd.packDot(b, 0, k, n, k, reuse);
        }

        static void dotPacked(
                Object pack,
                int m,
                float alpha,
                float[] a,
                int aOff,
                int lda,
                float[] b,
                float beta,
                float[] c,
                int cOff,
                int ldc) {
            GemmSimd.dotPacked(
                    (GemmSimd.DotPack) pack, m, alpha, a, aOff, lda, b, beta, c, cOff, ldc);
        }

        static void sgemm(
                boolean transA,
                boolean transB,
                int m,
                int n,
                int k,
                float alpha,
                float[] a,
                int aOff,
                int lda,
                float[] b,
                int bOff,
                int ldb,
                float beta,
                float[] c,
                int cOff,
                int ldc) {
            GemmSimd.sgemm(
                    transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
    }
}

package arm.kernels.cpu;

import arm.kernels.cpu.fast.GemmBlocked;
import arm.kernels.cpu.ref.GemmRef;
import arm.kernels.cpu.simd.GemmSimd;

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
 * benchmark can report it. {@code -Darm.threads=2} (default 1) splits large GEMMs by columns of C
 * between that many threads; on the shared 2-core machine it did not pay, so it is opt-in. GemmSimd
 * is only touched from {@link Simd}, a holder that the JVM loads the first time the SIMD branch
 * runs, so a JVM without the module never resolves it.
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
        return java.lang.module.ModuleFinder.ofSystem().find("jdk.incubator.vector").isPresent()
                ? "; no Vector API: java was started without --add-modules jdk.incubator.vector"
                : "; no Vector API: this JDK has no jdk.incubator.vector module";
    }

    /** The selection rule, pure so that it can be tested without restarting the JVM. */
    static Path choose(String forced, String simdProperty, boolean vectorModule) {
        boolean simdOff = simdProperty != null && simdProperty.trim().equalsIgnoreCase("false");
        Path fallback = vectorModule && !simdOff ? Path.SIMD : Path.BLOCKED;
        return PathChoice.choose("arm.gemm", forced, Path.class, Path.SIMD, vectorModule, fallback);
    }

    /** Threads for one large GEMM ({@code -Darm.threads}, default 1). */
    static final int THREADS = Math.max(1, Integer.getInteger("arm.threads", 1));

    /** Below this many multiply-adds a GEMM stays on one thread (10x784x400 has 3.1e6). */
    static final long SPLIT_MIN_MACS = 8_000_000L;

    /** Columns per thread are a multiple of this (whole SIMD panels, whole cache lines). */
    static final int SPLIT_ALIGN = 64;

    public static Path active() {
        return PATH;
    }

    public static int threads() {
        return THREADS;
    }

    /** Tail of the line that describes the active setup, e.g. ", 2 threads" (empty for one). */
    public static String threadsNote() {
        return THREADS == 1 ? "" : ", " + THREADS + " threads for large GEMMs";
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
        if (THREADS > 1) {
            sgemmSplit(
                    PATH, THREADS, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta,
                    c, cOff, ldc);
        } else {
            sgemm(
                    PATH, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff,
                    ldc);
        }
    }

    /**
     * The same GEMM split by columns of C into up to {@code threads} independent GEMMs (C[:, j0:j1]
     * = alpha · op(A) · op(B)[:, j0:j1] + beta · C[:, j0:j1]); the calling thread takes the first
     * part, a fixed pool of daemon threads the others. Small GEMMs run on the caller alone.
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
        int parts = Math.min(threads, n / SPLIT_ALIGN);
        if (parts < 2 || (long) m * n * k < SPLIT_MIN_MACS) {
            sgemm(
                    path, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff,
                    ldc);
            return;
        }
        int step = ((n + parts - 1) / parts + SPLIT_ALIGN - 1) / SPLIT_ALIGN * SPLIT_ALIGN;
        java.util.List<java.util.concurrent.Future<?>> others = new java.util.ArrayList<>();
        for (int j0 = step; j0 < n; j0 += step) {
            int nj = Math.min(step, n - j0), bj = bOff + (transB ? j0 * ldb : j0), cj = cOff + j0;
            others.add(
                    Pool.POOL.submit(
                            () ->
                                    sgemm(
                                            path, transA, transB, m, nj, k, alpha, a, aOff, lda, b,
                                            bj, ldb, beta, c, cj, ldc)));
        }
        sgemm(
                path,
                transA,
                transB,
                m,
                Math.min(step, n),
                k,
                alpha,
                a,
                aOff,
                lda,
                b,
                bOff,
                ldb,
                beta,
                c,
                cOff,
                ldc);
        for (java.util.concurrent.Future<?> f : others) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a GEMM part", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("a GEMM part failed", e.getCause());
            }
        }
    }

    /** Fixed pool for the extra GEMM threads, created on first use (never the common pool). */
    private static final class Pool {
        static final java.util.concurrent.ExecutorService POOL =
                java.util.concurrent.Executors.newFixedThreadPool(
                        Math.max(1, THREADS - 1),
                        r -> {
                            Thread t = new Thread(r, "arm-gemm");
                            t.setDaemon(true);
                            return t;
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

    /** Holder: the only place that names GemmSimd; loaded on the first SIMD call. */
    private static final class Simd {
        static String describe() {
            return GemmSimd.describe();
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

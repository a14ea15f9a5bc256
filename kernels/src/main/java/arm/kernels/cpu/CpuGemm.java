package arm.kernels.cpu;

import arm.kernels.cpu.fast.GemmBlocked;
import arm.kernels.cpu.ref.GemmRef;
import arm.kernels.cpu.simd.GemmSimd;

/**
 * Chooses the SGEMM implementation once, at class load:
 *
 * <ul>
 *   <li>{@code -Darm.gemm=naive|blocked|simd} forces one;
 *   <li>otherwise SIMD ({@link GemmSimd}, Java Vector API) when the module
 *       {@code jdk.incubator.vector} is in the boot layer and {@code -Darm.simd=false} is not set;
 *   <li>otherwise the cache-blocked scalar path ({@link GemmBlocked}).
 * </ul>
 *
 * {@link #path()} names the choice (e.g. "simd (AVX2, 8 float lanes)") so that every result and
 * benchmark can report it. GemmSimd is only touched from {@link Simd}, a holder that the JVM loads
 * the first time the SIMD branch runs, so a JVM without the module never resolves it.
 */
public final class CpuGemm {
  private CpuGemm() {}

  public enum Path { NAIVE, BLOCKED, SIMD }

  private static final Path PATH =
      choose(System.getProperty("arm.gemm"), System.getProperty("arm.simd"), vectorModulePresent());

  static boolean vectorModulePresent() {
    return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  }

  /** The selection rule, pure so that it can be tested without restarting the JVM. */
  static Path choose(String forced, String simdProperty, boolean vectorModule) {
    if (forced != null && !forced.isBlank()) {
      Path p;
      try {
        p = Path.valueOf(forced.trim().toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "-Darm.gemm=" + forced + ": expected naive, blocked or simd", e);
      }
      if (p == Path.SIMD && !vectorModule) {
        throw new IllegalStateException(
            "-Darm.gemm=simd needs the JVM option --add-modules jdk.incubator.vector");
      }
      return p;
    }
    boolean simdOff = simdProperty != null && simdProperty.trim().equalsIgnoreCase("false");
    return vectorModule && !simdOff ? Path.SIMD : Path.BLOCKED;
  }

  public static Path active() {
    return PATH;
  }

  /** e.g. "simd (AVX2, 8 float lanes)", "blocked (scalar)", "naive". */
  public static String path() {
    return describe(PATH);
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
      boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    sgemm(PATH, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
  }

  /** The same on an explicitly chosen path (tests and benchmarks). */
  public static void sgemm(Path path,
      boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    switch (path) {
      case SIMD:
        Simd.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        break;
      case BLOCKED:
        GemmBlocked.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff,
            ldc);
        break;
      default:
        GemmRef.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }
  }

  /** Holder: the only place that names GemmSimd; loaded on the first SIMD call. */
  private static final class Simd {
    static String describe() {
      return GemmSimd.describe();
    }

    static void sgemm(
        boolean transA, boolean transB, int m, int n, int k, float alpha,
        float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
        float beta, float[] c, int cOff, int ldc) {
      GemmSimd.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }
  }
}

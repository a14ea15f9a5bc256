package arm.kernels.cpu.fast;

import arm.kernels.cpu.CpuGemm;
import arm.kernels.cpu.CpuThreads;
import java.util.Arrays;

/**
 * Convolution as GEMM over an im2col matrix; the naive twin is {@link arm.kernels.cpu.ref.ConvRef}.
 *
 * <p>Shapes: x [N, Ci, H, W], w [Co, K] with K = Ci·kh·kw (the weight tensor read as a matrix),
 * y [N, Co, P] with P = Ho·Wo. Images are processed in chunks of nb; a chunk's column matrix is
 * col [K, nb·P], col[(c,u,v), (b,i,j)] = x[b, c, i·s − p + u, j·s − p + v] (0 outside).
 *
 * <pre>
 * forward          y_chunk [Co, nb·P]  = w · col                      then scattered to NCHW
 * backward input   dcol    [K, nb·P]   = wᵀ · dy_chunk                then col2im (adds into dx)
 * backward weight  dw      [Co, K]    += dy_chunk · colᵀ              summed over chunks
 * </pre>
 *
 * Chunks group small late-stage images (P = 16 at 4×4) so every GEMM has at least
 * {@link #MIN_COLS} columns; a single-image chunk writes y (or reads dy) in place, with no copy.
 * With {@code -Darm.threads} &gt; 1 the images are split across threads (outputs are disjoint per
 * image; the weight gradient is summed from per-thread partials).
 */
public final class ConvIm2col {
  private ConvIm2col() {}

  /** A GEMM gets at least this many columns (output positions) when images allow. */
  static final int MIN_COLS = 256;
  /** Upper bound on the floats of one column matrix (4 MiB) when grouping images. */
  static final int MAX_COL_FLOATS = 1 << 20;

  /** Images per chunk: enough for MIN_COLS columns, few enough for MAX_COL_FLOATS. */
  static int imagesPerChunk(ConvShape g) {
    int nb = Math.max(1, (MIN_COLS + g.p - 1) / g.p);
    while (nb > 1 && (long) g.k * nb * g.p > MAX_COL_FLOATS) nb--;
    return Math.min(nb, Math.max(1, g.n));
  }

  /** Per-thread scratch: col (or dcol) and a chunk of y or dy in [Co, nb·P] order. */
  private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

  private static float[] scratch(int slot, int size) {
    float[][] s = SCRATCH.get();
    if (s[slot].length < size) s[slot] = new float[size];
    return s[slot];
  }

  /** Splits [0, n) into parts contiguous image ranges and runs body(part, from, to). */
  private interface Range {
    void run(int part, int from, int to);
  }

  private static void forImages(ConvShape g, int threads, Range body) {
    int nb = imagesPerChunk(g);
    int chunks = (g.n + nb - 1) / nb;
    int parts = Math.max(1, Math.min(threads, chunks));
    CpuThreads.run(parts, part -> {
      int from = (int) ((long) chunks * part / parts) * nb;
      int to = Math.min(g.n, (int) ((long) chunks * (part + 1) / parts) * nb);
      body.run(part, from, to);
    });
  }

  // ------------------------------------------------------------ forward

  public static void forward(float[] x, float[] w, float[] y, ConvShape g) {
    forward(x, w, y, g, CpuThreads.parts(g.n));
  }

  /** The same, with the images split into (at most) {@code threads} parts. */
  static void forward(float[] x, float[] w, float[] y, ConvShape g, int threads) {
    forImages(g, threads, (part, from, to) -> {
      int nb = imagesPerChunk(g);
      for (int n0 = from; n0 < to; n0 += nb) forwardChunk(x, w, y, g, n0, Math.min(nb, to - n0));
    });
  }

  private static void forwardChunk(float[] x, float[] w, float[] y, ConvShape g, int n0, int nb) {
    int cols = nb * g.p;
    float[] col = scratch(0, g.k * cols);
    im2col(x, g, n0, nb, col);
    if (nb == 1) {
      CpuGemm.sgemm(false, false, g.co, g.p, g.k, 1f, w, 0, g.k, col, 0, g.p, 0f, y, n0 * g.yImage(), g.p);
      return;
    }
    float[] out = scratch(1, g.co * cols);
    CpuGemm.sgemm(false, false, g.co, cols, g.k, 1f, w, 0, g.k, col, 0, cols, 0f, out, 0, cols);
    for (int b = 0; b < nb; b++)
      for (int o = 0; o < g.co; o++)
        System.arraycopy(out, o * cols + b * g.p, y, (n0 + b) * g.yImage() + o * g.p, g.p);
  }

  // ------------------------------------------------------------ backward input

  public static void backwardInput(float[] dy, float[] w, float[] dx, ConvShape g) {
    backwardInput(dy, w, dx, g, CpuThreads.parts(g.n));
  }

  /** The same, with the images split into (at most) {@code threads} parts. */
  static void backwardInput(float[] dy, float[] w, float[] dx, ConvShape g, int threads) {
    forImages(g, threads, (part, from, to) -> {
      Arrays.fill(dx, from * g.xImage(), to * g.xImage(), 0f);
      int nb = imagesPerChunk(g);
      for (int n0 = from; n0 < to; n0 += nb) backwardInputChunk(dy, w, dx, g, n0, Math.min(nb, to - n0));
    });
  }

  private static void backwardInputChunk(float[] dy, float[] w, float[] dx, ConvShape g, int n0, int nb) {
    int cols = nb * g.p;
    float[] dcol = scratch(0, g.k * cols);
    if (nb == 1) {
      CpuGemm.sgemm(true, false, g.k, g.p, g.co, 1f, w, 0, g.k, dy, n0 * g.yImage(), g.p, 0f, dcol, 0, g.p);
    } else {
      float[] dyc = gather(dy, g, n0, nb);
      CpuGemm.sgemm(true, false, g.k, cols, g.co, 1f, w, 0, g.k, dyc, 0, cols, 0f, dcol, 0, cols);
    }
    col2im(dcol, g, n0, nb, dx);
  }

  // ------------------------------------------------------------ backward weight

  public static void backwardWeight(float[] x, float[] dy, float[] dw, ConvShape g) {
    backwardWeight(x, dy, dw, g, CpuThreads.parts(g.n));
  }

  /** The same, with the images split into (at most) {@code threads} parts, partials summed. */
  static void backwardWeight(float[] x, float[] dy, float[] dw, ConvShape g, int threads) {
    int size = g.co * g.k;
    int nb = imagesPerChunk(g);
    int parts = Math.max(1, Math.min(threads, (g.n + nb - 1) / nb));
    float[][] partial = new float[parts][];
    partial[0] = dw;
    for (int i = 1; i < parts; i++) partial[i] = new float[size];
    Arrays.fill(dw, 0, size, 0f);
    if (g.n == 0) return;
    int chunks = (g.n + nb - 1) / nb;
    CpuThreads.run(parts, part -> {
      int from = (int) ((long) chunks * part / parts) * nb;
      int to = Math.min(g.n, (int) ((long) chunks * (part + 1) / parts) * nb);
      for (int n0 = from; n0 < to; n0 += nb) backwardWeightChunk(x, dy, partial[part], g, n0, Math.min(nb, to - n0));
    });
    for (int i = 1; i < parts; i++)
      for (int j = 0; j < size; j++) dw[j] += partial[i][j];
  }

  private static void backwardWeightChunk(float[] x, float[] dy, float[] dw, ConvShape g, int n0, int nb) {
    int cols = nb * g.p;
    float[] col = scratch(0, g.k * cols);
    im2col(x, g, n0, nb, col);
    if (nb == 1) {
      CpuGemm.sgemm(false, true, g.co, g.k, g.p, 1f, dy, n0 * g.yImage(), g.p, col, 0, g.p, 1f, dw, 0, g.k);
    } else {
      float[] dyc = gather(dy, g, n0, nb);
      CpuGemm.sgemm(false, true, g.co, g.k, cols, 1f, dyc, 0, cols, col, 0, cols, 1f, dw, 0, g.k);
    }
  }

  /** dy of images n0 … n0+nb−1 rearranged from [nb, Co, P] to [Co, nb·P] (scratch slot 1). */
  private static float[] gather(float[] dy, ConvShape g, int n0, int nb) {
    int cols = nb * g.p;
    float[] out = scratch(1, g.co * cols);
    for (int b = 0; b < nb; b++)
      for (int o = 0; o < g.co; o++)
        System.arraycopy(dy, (n0 + b) * g.yImage() + o * g.p, out, o * cols + b * g.p, g.p);
    return out;
  }

  // ------------------------------------------------------------ im2col and its adjoint

  /** col [K, nb·P] from images n0 … n0+nb−1 of x; padding reads as 0. */
  static void im2col(float[] x, ConvShape g, int n0, int nb, float[] col) {
    int cols = nb * g.p, s = g.stride;
    for (int c = 0; c < g.ci; c++)
      for (int u = 0; u < g.kh; u++)
        for (int v = 0; v < g.kw; v++) {
          int row = ((c * g.kh + u) * g.kw + v) * cols;
          int jLo = g.jLo(v), jHi = g.jHi(v), shift = v - g.pad;
          for (int b = 0; b < nb; b++) {
            int plane = ((n0 + b) * g.ci + c) * g.h * g.w;
            for (int i = 0; i < g.ho; i++) {
              int r = i * s - g.pad + u, dst = row + b * g.p + i * g.wo;
              if (r < 0 || r >= g.h || jLo >= jHi) {
                Arrays.fill(col, dst, dst + g.wo, 0f);
                continue;
              }
              int src = plane + r * g.w + shift;
              Arrays.fill(col, dst, dst + jLo, 0f);
              if (s == 1) System.arraycopy(x, src + jLo, col, dst + jLo, jHi - jLo);
              else for (int j = jLo; j < jHi; j++) col[dst + j] = x[src + j * s];
              Arrays.fill(col, dst + jHi, dst + g.wo, 0f);
            }
          }
        }
  }

  /** The adjoint of {@link #im2col}: adds every col entry into the x position it was read from. */
  static void col2im(float[] col, ConvShape g, int n0, int nb, float[] dx) {
    int cols = nb * g.p, s = g.stride;
    for (int c = 0; c < g.ci; c++)
      for (int u = 0; u < g.kh; u++)
        for (int v = 0; v < g.kw; v++) {
          int row = ((c * g.kh + u) * g.kw + v) * cols;
          int jLo = g.jLo(v), jHi = g.jHi(v), shift = v - g.pad;
          for (int b = 0; b < nb; b++) {
            int plane = ((n0 + b) * g.ci + c) * g.h * g.w;
            for (int i = 0; i < g.ho; i++) {
              int r = i * s - g.pad + u;
              if (r < 0 || r >= g.h) continue;
              int src = row + b * g.p + i * g.wo, dst = plane + r * g.w + shift;
              if (s == 1) for (int j = jLo; j < jHi; j++) dx[dst + j] += col[src + j];
              else for (int j = jLo; j < jHi; j++) dx[dst + j * s] += col[src + j];
            }
          }
        }
  }
}

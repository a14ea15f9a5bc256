package arm.kernels.cpu;

import arm.kernels.cpu.ref.ConvRef;
import arm.kernels.cpu.ref.ElementwiseRef;
import arm.kernels.cpu.ref.PoolRef;
import arm.tensor.Backend;
import arm.tensor.Binary;
import arm.tensor.CpuStorage;
import arm.tensor.Device;
import arm.tensor.Shape;
import arm.tensor.Tensor;
import arm.tensor.Unary;
import java.util.Arrays;

/**
 * The pure-Java backend. Shape checks live here; the loops live in {@code ref} (naive, readable)
 * and in the fast kernels that {@link CpuGemm} and {@link CpuConv} dispatch to.
 */
public final class CpuBackend implements Backend {

  @Override
  public Device device() {
    return Device.CPU;
  }

  @Override
  public String describe() {
    return "cpu: gemm " + CpuGemm.path() + ", conv " + CpuConv.path() + ", batchnorm " + CpuBatchNorm.path();
  }

  /** The host array of a backend-made tensor (contiguous, offset 0). */
  static float[] arr(Tensor t) {
    if (t.offset != 0)
      throw new IllegalArgumentException("CPU kernels take offset-0 tensors, got " + t);
    return t.data();
  }

  private static void sameNumel(Tensor a, Tensor b) {
    if (a.numel() != b.numel())
      throw new IllegalArgumentException(a + " and " + b + " differ in element count");
  }

  private static int[] shape4(Tensor t, String what) {
    if (t.rank() != 4) throw new IllegalArgumentException(what + " must be NCHW, got " + t);
    return t.shape;
  }

  /** Elements from which an elementwise op is split over the kernel threads (-Darm.threads). */
  static final int SPLIT_MIN = 1 << 18;

  private interface Range {
    void run(int from, int to);
  }

  /**
   * body over [0, n), cut into one range per kernel thread for large n (cut at multiples of 16
   * floats, whole cache lines). Elementwise, so the bits do not depend on the cut.
   */
  private static void split(int n, Range body) {
    int parts = n < SPLIT_MIN ? 1 : CpuThreads.parts(CpuThreads.threads());
    if (parts == 1) {
      body.run(0, n);
      return;
    }
    CpuThreads.run(parts, p -> body.run(Math.min(n, (int) ((long) n * p / parts) & ~15),
        p + 1 == parts ? n : Math.min(n, (int) ((long) n * (p + 1) / parts) & ~15)));
  }

  @Override
  public Tensor zeros(int... shape) {
    return new Tensor(new CpuStorage(new float[Shape.numel(shape)]), 0, shape);
  }

  @Override
  public Tensor upload(float[] host, int... shape) {
    return Tensor.of(host.clone(), shape);
  }

  @Override
  public float[] download(Tensor t) {
    return t.toArray();
  }

  @Override
  public void fill(Tensor out, float value) {
    Arrays.fill(arr(out), 0, out.numel(), value);
  }

  @Override
  public void copy(Tensor src, Tensor out) {
    sameNumel(src, out);
    float[] a = arr(src), b = arr(out);
    split(src.numel(), (from, to) -> System.arraycopy(a, from, b, from, to - from));
  }

  @Override
  public void unary(Unary op, Tensor x, float alpha, Tensor out) {
    sameNumel(x, out);
    float[] a = arr(x), b = arr(out);
    if (op == Unary.RELU) split(x.numel(), (from, to) -> arm.kernels.cpu.fast.ReluFast.forward(a, b, from, to));
    else ElementwiseRef.unary(op, arr(x), alpha, arr(out), x.numel());
  }

  @Override
  public void unaryBackward(Unary op, Tensor x, Tensor y, Tensor dy, float alpha, Tensor dx) {
    sameNumel(x, dx);
    float[] a = arr(x), d = arr(dy), b = arr(dx);
    if (op == Unary.RELU) split(x.numel(), (from, to) -> arm.kernels.cpu.fast.ReluFast.backward(a, d, b, from, to));
    else ElementwiseRef.unaryBackward(op, arr(x), arr(y), arr(dy), alpha, arr(dx), x.numel());
  }

  @Override
  public void binary(Binary op, Tensor a, Tensor b, Tensor out) {
    int[] s = Shape.broadcast(a.shape, b.shape);
    if (!Shape.same(Shape.broadcast(s, out.shape), out.shape))
      throw new IllegalArgumentException(a + " " + op + " " + b + " cannot write " + out);
    float[] x = arr(a), y = arr(b), o = arr(out);
    int n = out.numel();
    if (a.numel() == n && b.numel() == n) { // same shape: the common fast case
      split(n, (from, to) -> sameShape(op, x, y, o, from, to));
      return;
    }
    if (a.numel() == n && isRowBroadcast(b.shape, out.shape)) { // bias-like [.., C] + [C]
      int c = b.numel();
      for (int i = 0; i < n; i++) o[i] = ElementwiseRef.apply(op, x[i], y[i % c]);
      return;
    }
    ElementwiseRef.binary(op, x, a.shape, y, b.shape, o, out.shape);
  }

  private static void sameShape(Binary op, float[] x, float[] y, float[] o, int from, int to) {
    switch (op) {
      case ADD: for (int i = from; i < to; i++) o[i] = x[i] + y[i]; return;
      case SUB: for (int i = from; i < to; i++) o[i] = x[i] - y[i]; return;
      case MUL: for (int i = from; i < to; i++) o[i] = x[i] * y[i]; return;
      case DIV: for (int i = from; i < to; i++) o[i] = x[i] / y[i]; return;
      default: throw new IllegalArgumentException("binary op " + op);
    }
  }

  /** True when b only broadcasts over leading dimensions of out (b is a trailing block). */
  private static boolean isRowBroadcast(int[] b, int[] out) {
    int off = out.length - b.length;
    boolean leading = true;
    for (int i = 0; i < out.length; i++) {
      int bd = i < off ? 1 : b[i - off];
      if (leading && bd == 1 && out[i] != 1) continue;
      leading = false;
      if (bd != out[i]) return false;
    }
    return true;
  }

  @Override
  public void axpy(float alpha, Tensor x, Tensor y) {
    sameNumel(x, y);
    float[] a = arr(x), b = arr(y);
    split(x.numel(), (from, to) -> {
      for (int i = from; i < to; i++) b[i] += alpha * a[i];
    });
  }

  @Override
  public void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
    if (a.rank() != 2 || b.rank() != 2 || c.rank() != 2)
      throw new IllegalArgumentException("gemm takes 2-D tensors: " + a + " " + b + " " + c);
    int m = transA ? a.shape[1] : a.shape[0], k = transA ? a.shape[0] : a.shape[1];
    int kb = transB ? b.shape[1] : b.shape[0], n = transB ? b.shape[0] : b.shape[1];
    if (k != kb || c.shape[0] != m || c.shape[1] != n)
      throw new IllegalArgumentException(
          "gemm shapes: op(A) " + m + "x" + k + ", op(B) " + kb + "x" + n + ", C " + c);
    CpuGemm.sgemm(transA, transB, m, n, k, alpha, arr(a), 0, a.shape[1], arr(b), 0, b.shape[1],
        beta, arr(c), 0, n);
  }

  @Override
  public void sumTo(Tensor x, Tensor out) {
    if (!Shape.same(Shape.broadcast(out.shape, x.shape), x.shape))
      throw new IllegalArgumentException(out + " is not a reduction of " + x);
    float[] in = arr(x), o = arr(out);
    int n = x.numel(), m = out.numel();
    if (m == n) {
      split(n, (from, to) -> System.arraycopy(in, from, o, from, to - from));
      return;
    }
    if (isRowBroadcast(out.shape, x.shape)) { // bias gradient: sum rows
      double[] acc = new double[m];
      for (int i = 0; i < n; i++) acc[i % m] += in[i];
      for (int j = 0; j < m; j++) o[j] = (float) acc[j];
      return;
    }
    ElementwiseRef.sumTo(in, x.shape, o, out.shape);
  }

  private static int rows(Tensor t) {
    return t.numel() / t.dim(-1);
  }

  @Override
  public void maxLastAxis(Tensor x, Tensor values, int[] argmax) {
    int r = rows(x);
    if ((values != null && values.numel() != r) || (argmax != null && argmax.length != r))
      throw new IllegalArgumentException("max of " + x + " has " + r + " rows");
    ElementwiseRef.maxLastAxis(arr(x), values == null ? null : arr(values), argmax, rows(x), x.dim(-1));
  }

  @Override
  public void softmax(Tensor x, boolean log, Tensor out) {
    sameNumel(x, out);
    ElementwiseRef.softmax(arr(x), log, arr(out), rows(x), x.dim(-1));
  }

  @Override
  public void softmaxBackward(Tensor y, Tensor dy, boolean log, Tensor dx) {
    ElementwiseRef.softmaxBackward(arr(y), arr(dy), log, arr(dx), rows(y), y.dim(-1));
  }

  @Override
  public void gatherLastAxis(Tensor x, int[] index, Tensor out) {
    int c = x.dim(-1), r = rows(x);
    if (index.length != r || out.numel() != r)
      throw new IllegalArgumentException("gather: " + r + " rows, " + index.length + " indices");
    float[] a = arr(x), o = arr(out);
    for (int i = 0; i < r; i++) {
      if (index[i] < 0 || index[i] >= c)
        throw new IndexOutOfBoundsException("index " + index[i] + " at row " + i + " not in [0," + c + ")");
      o[i] = a[i * c + index[i]];
    }
  }

  @Override
  public void scatterAddLastAxis(Tensor dOut, int[] index, Tensor dx) {
    int c = dx.dim(-1), r = rows(dx);
    if (index.length != r || dOut.numel() != r)
      throw new IllegalArgumentException("scatter: " + r + " rows, " + index.length + " indices");
    float[] g = arr(dOut), d = arr(dx);
    for (int i = 0; i < r; i++) {
      if (index[i] < 0 || index[i] >= c) // else it would land silently in a neighbouring row
        throw new IndexOutOfBoundsException("index " + index[i] + " at row " + i + " not in [0," + c + ")");
      d[i * c + index[i]] += g[i];
    }
  }

  @Override
  public void permute(Tensor x, int[] perm, Tensor out) {
    sameNumel(x, out);
    ElementwiseRef.permute(arr(x), x.shape, perm, arr(out));
  }

  @Override
  public void copyAlongAxis(Tensor src, int axis, int srcStart, Tensor dst, int dstStart, int length) {
    if (srcStart < 0 || dstStart < 0 || srcStart + length > src.shape[axis] || dstStart + length > dst.shape[axis])
      throw new IndexOutOfBoundsException("copy of " + length + " along axis " + axis + " from " + src + " to " + dst);
    ElementwiseRef.copyAlongAxis(arr(src), src.shape, axis, srcStart, arr(dst), dst.shape, dstStart, length);
  }

  @Override
  public void conv2d(Tensor x, Tensor w, int stride, int pad, Tensor y) {
    int[] xs = shape4(x, "conv input"), ws = shape4(w, "conv weight");
    CpuConv.forward(arr(x), arr(w), arr(y), xs[0], xs[1], xs[2], xs[3], ws[0], ws[2], ws[3], stride, pad);
  }

  @Override
  public void conv2dBackwardInput(Tensor dy, Tensor w, int stride, int pad, Tensor dx) {
    int[] xs = shape4(dx, "conv input gradient"), ws = shape4(w, "conv weight");
    CpuConv.backwardInput(arr(dy), arr(w), arr(dx), xs[0], xs[1], xs[2], xs[3], ws[0], ws[2], ws[3], stride, pad);
  }

  @Override
  public void conv2dBackwardWeight(Tensor x, Tensor dy, int stride, int pad, Tensor dw) {
    int[] xs = shape4(x, "conv input"), ws = shape4(dw, "conv weight gradient");
    CpuConv.backwardWeight(arr(x), arr(dy), arr(dw), xs[0], xs[1], xs[2], xs[3], ws[0], ws[2], ws[3], stride, pad);
  }

  @Override
  public void batchNormTrain(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor y, Tensor mean, Tensor var) {
    int[] s = shape4(x, "batchnorm input");
    CpuBatchNorm.forwardTrain(arr(x), arr(gamma), arr(beta), eps, arr(y), arr(mean), arr(var), s[0], s[1], s[2] * s[3]);
  }

  @Override
  public void batchNormEval(Tensor x, Tensor gamma, Tensor beta, Tensor mean, Tensor var, float eps, Tensor y) {
    int[] s = shape4(x, "batchnorm input");
    CpuBatchNorm.forwardEval(arr(x), arr(gamma), arr(beta), arr(mean), arr(var), eps, arr(y), s[0], s[1], s[2] * s[3]);
  }

  @Override
  public void batchNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor mean, Tensor var, float eps,
      Tensor dx, Tensor dGamma, Tensor dBeta) {
    int[] s = shape4(x, "batchnorm input");
    CpuBatchNorm.backward(arr(x), arr(dy), arr(gamma), arr(mean), arr(var), eps,
        dx == null ? null : arr(dx), dGamma == null ? null : arr(dGamma), dBeta == null ? null : arr(dBeta),
        s[0], s[1], s[2] * s[3]);
  }

  @Override
  public void batchNormReluTrain(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor y, Tensor mean, Tensor var) {
    int[] s = shape4(x, "batchnorm input");
    CpuBatchNorm.forwardTrainRelu(arr(x), arr(gamma), arr(beta), eps, arr(y), arr(mean), arr(var), s[0], s[1], s[2] * s[3]);
  }

  @Override
  public void batchNormReluBackward(Tensor x, Tensor y, Tensor dy, Tensor gamma, Tensor mean, Tensor var, float eps,
      Tensor dx, Tensor dGamma, Tensor dBeta) {
    int[] s = shape4(x, "batchnorm input");
    CpuBatchNorm.backwardRelu(arr(x), arr(y), arr(dy), arr(gamma), arr(mean), arr(var), eps,
        dx == null ? null : arr(dx), dGamma == null ? null : arr(dGamma), dBeta == null ? null : arr(dBeta),
        s[0], s[1], s[2] * s[3]);
  }

  @Override
  public void avgPool2d(Tensor x, int k, int stride, Tensor y) {
    int[] s = shape4(x, "pool input");
    PoolRef.avgForward(arr(x), arr(y), s[0] * s[1], s[2], s[3], k, stride);
  }

  @Override
  public void avgPool2dBackward(Tensor dy, int k, int stride, Tensor dx) {
    int[] s = shape4(dx, "pool input gradient");
    PoolRef.avgBackward(arr(dy), arr(dx), s[0] * s[1], s[2], s[3], k, stride);
  }
}

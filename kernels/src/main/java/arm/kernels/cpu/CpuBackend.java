package arm.kernels.cpu;

import static arm.tensor.Checks.rows;

import arm.kernels.cpu.fast.BroadcastFast;
import arm.kernels.cpu.fast.ReluFast;
import arm.kernels.cpu.fast.UnaryFast;
import arm.kernels.cpu.fast.WeightPacks;
import arm.kernels.cpu.ref.BatchNormArrays;
import arm.kernels.cpu.ref.ElementwiseRef;
import arm.kernels.cpu.ref.ImagePriorRef;
import arm.kernels.cpu.ref.LogitTermsRef;
import arm.kernels.cpu.ref.PoolRef;
import arm.tensor.Backend;
import arm.tensor.BatchNormArgs;
import arm.tensor.Binary;
import arm.tensor.Checks;
import arm.tensor.CpuStorage;
import arm.tensor.Device;
import arm.tensor.LogitWeights;
import arm.tensor.Scope;
import arm.tensor.Shape;
import arm.tensor.Tensor;
import arm.tensor.Unary;
import java.util.Arrays;
import java.util.Locale;

/**
 * The pure-Java backend. Argument checks are the shared {@link Checks}; the loops live in {@code
 * ref} (naive, readable) and in the fast kernels that {@link CpuGemm} and {@link CpuConv} dispatch
 * to.
 */
public final class CpuBackend implements Backend {

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public String describe() {
        return "cpu: gemm "
                + CpuGemm.path()
                + ", conv "
                + CpuConv.path()
                + ", batchnorm "
                + CpuBatchNorm.path()
                + CpuGemm.vectorApiNote();
    }

    /** The kernel paths without the thread count: parts depend on shapes only (ThreadCountTest). */
    @Override
    public String numerics() {
        return "cpu: gemm "
                + CpuGemm.describe(CpuGemm.active())
                + ", conv "
                + CpuConv.active().name().toLowerCase(Locale.ROOT)
                + ", batchnorm "
                + CpuBatchNorm.path();
    }

    /** The host array of a backend-made tensor (contiguous, offset 0). */
    static float[] arr(Tensor t) {
        if (t.offset != 0)
            throw new IllegalArgumentException("CPU kernels take offset-0 tensors, got " + t);
        return t.data();
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
        CpuThreads.run(
                parts,
                p ->
                        body.run(
                                Math.min(n, (int) ((long) n * p / parts) & ~15),
                                p + 1 == parts
                                        ? n
                                        : Math.min(n, (int) ((long) n * (p + 1) / parts) & ~15)));
    }

    @Override
    public Tensor zeros(int... shape) {
        return host(shape, true);
    }

    /**
     * Inside a {@link Scope#recycling} scope, an array another tensor of the scope's thread left
     * behind, with its old contents (NaN under {@code -Darm.pool.poison=true}); elsewhere a fresh
     * zeroed one. Only for outputs the next op overwrites entirely.
     */
    @Override
    public Tensor empty(int... shape) {
        return host(shape, false);
    }

    private static Tensor host(int[] shape, boolean zero) {
        Tensor t = new Tensor(new CpuStorage(Scope.hostArray(Shape.numel(shape), zero)), 0, shape);
        if (Scope.recyclingNow()) Scope.track(t);
        return t;
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
        Checks.sameNumel(src, out);
        float[] a = arr(src), b = arr(out);
        split(src.numel(), (from, to) -> System.arraycopy(a, from, b, from, to - from));
    }

    @Override
    public void unary(Unary op, Tensor x, float alpha, Tensor out) {
        Checks.sameNumel(x, out);
        float[] a = arr(x), b = arr(out);
        if (op == Unary.RELU) split(x.numel(), (from, to) -> ReluFast.forward(a, b, from, to));
        else if (!UnaryFast.forward(op, a, alpha, b, x.numel()))
            ElementwiseRef.unary(op, a, alpha, b, x.numel());
    }

    @Override
    public void unaryBackward(Unary op, Tensor x, Tensor y, Tensor dy, float alpha, Tensor dx) {
        Checks.sameNumel(x, dx);
        float[] a = arr(x), d = arr(dy), b = arr(dx);
        if (op == Unary.RELU)
            split(
                    x.numel(),
                    CpuGemm.active() == CpuGemm.Path.SIMD
                            ? (from, to) -> Relu.backward(a, d, b, from, to)
                            : (from, to) -> ReluFast.backward(a, d, b, from, to));
        else if (!UnaryFast.backward(op, a, arr(y), d, alpha, b, x.numel()))
            ElementwiseRef.unaryBackward(op, a, arr(y), d, alpha, b, x.numel());
    }

    @Override
    public void binary(Binary op, Tensor a, Tensor b, Tensor out) {
        Checks.binary(a, op, b, out);
        float[] x = arr(a), y = arr(b), o = arr(out);
        int n = out.numel();
        if (a.numel() == n && b.numel() == n) { // same shape: the common fast case
            split(n, (from, to) -> sameShape(op, x, y, o, from, to));
            return;
        }
        // bias rows, per-row columns, scalars: two nested loops (the general walk is its naive
        // twin)
        if (BroadcastFast.binary(op, x, a.shape, y, b.shape, o, out.shape)) return;
        ElementwiseRef.binary(op, x, a.shape, y, b.shape, o, out.shape);
    }

    private static void sameShape(Binary op, float[] x, float[] y, float[] o, int from, int to) {
        switch (op) {
            case ADD:
                for (int i = from; i < to; i++) o[i] = x[i] + y[i];
                return;
            case SUB:
                for (int i = from; i < to; i++) o[i] = x[i] - y[i];
                return;
            case MUL:
                for (int i = from; i < to; i++) o[i] = x[i] * y[i];
                return;
            case DIV:
                for (int i = from; i < to; i++) o[i] = x[i] / y[i];
                return;
            default:
                throw new IllegalArgumentException("binary op " + op);
        }
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        Checks.sameNumel(x, y);
        float[] a = arr(x), b = arr(y);
        split(
                x.numel(),
                (from, to) -> {
                    for (int i = from; i < to; i++) b[i] += alpha * a[i];
                });
    }

    /**
     * Each 2-D tensor packed for the SIMD dot path ({@link CpuGemm#hold}), each 4-D one (a
     * convolution's weights) trusted by {@link WeightPacks#hold} without comparing it every call,
     * until closed.
     */
    @Override
    public Held holdConstant(Tensor... ws) {
        java.util.List<CpuGemm.Held> hs = new java.util.ArrayList<>();
        java.util.List<WeightPacks.Held> ps = new java.util.ArrayList<>();
        for (Tensor w : ws)
            if (w.rank() == 2 && w.offset == 0) {
                CpuGemm.Held h = CpuGemm.hold(w.data(), w.shape[0], w.shape[1]);
                if (h != null) hs.add(h);
            } else if (w.rank() == 4 && w.offset == 0) {
                WeightPacks.Held h = WeightPacks.hold(w.data());
                if (h != null) ps.add(h);
            }
        if (hs.isEmpty() && ps.isEmpty()) return Held.NONE;
        return () -> {
            for (CpuGemm.Held h : hs) CpuGemm.release(h);
            for (WeightPacks.Held h : ps) WeightPacks.release(h);
        };
    }

    @Override
    public void gemm(
            boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        Checks.Gemm g = Checks.gemm(transA, transB, a, b, c);
        CpuGemm.sgemm(
                transA,
                transB,
                g.m(),
                g.n(),
                g.k(),
                alpha,
                arr(a),
                0,
                a.shape[1],
                arr(b),
                0,
                b.shape[1],
                beta,
                arr(c),
                0,
                g.n());
    }

    @Override
    public void sumTo(Tensor x, Tensor out) {
        Checks.sumTo(x, out);
        float[] in = arr(x), o = arr(out);
        int n = x.numel(), m = out.numel();
        if (m == n) {
            split(n, (from, to) -> System.arraycopy(in, from, o, from, to - from));
            return;
        }
        // bias gradients, row sums, totals: nested loops, same summation order as the general walk
        if (BroadcastFast.sumTo(in, x.shape, o, out.shape)) return;
        ElementwiseRef.sumTo(in, x.shape, o, out.shape);
    }

    @Override
    public void maxLastAxis(Tensor x, Tensor values, int[] argmax) {
        Checks.maxLastAxis(x, values, argmax);
        ElementwiseRef.maxLastAxis(
                arr(x), values == null ? null : arr(values), argmax, rows(x), x.dim(-1));
    }

    @Override
    public void softmax(Tensor x, boolean log, Tensor out) {
        Checks.sameNumel(x, out);
        ElementwiseRef.softmax(arr(x), log, arr(out), rows(x), x.dim(-1));
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor dy, boolean log, Tensor dx) {
        Checks.softmaxBackward(y, dy, dx);
        ElementwiseRef.softmaxBackward(arr(y), arr(dy), log, arr(dx), rows(y), y.dim(-1));
    }

    @Override
    public void gatherLastAxis(Tensor x, int[] index, Tensor out) {
        Checks.lastAxisIndex("gather", x, index, out);
        int c = x.dim(-1), r = rows(x);
        float[] a = arr(x), o = arr(out);
        for (int i = 0; i < r; i++) o[i] = a[i * c + index[i]];
    }

    @Override
    public void scatterAddLastAxis(Tensor dOut, int[] index, Tensor dx) {
        Checks.lastAxisIndex("scatter", dx, index, dOut);
        int c = dx.dim(-1), r = rows(dx);
        float[] g = arr(dOut), d = arr(dx);
        for (int i = 0; i < r; i++) d[i * c + index[i]] += g[i];
    }

    @Override
    public void permute(Tensor x, int[] perm, Tensor out) {
        Checks.permute(x, perm, out);
        ElementwiseRef.permute(arr(x), x.shape, perm, arr(out));
    }

    @Override
    public void copyAlongAxis(
            Tensor src, int axis, int srcStart, Tensor dst, int dstStart, int length) {
        Checks.copyAlongAxis(src, axis, srcStart, dst, dstStart, length);
        ElementwiseRef.copyAlongAxis(
                arr(src), src.shape, axis, srcStart, arr(dst), dst.shape, dstStart, length);
    }

    @Override
    public void conv2d(Tensor x, Tensor w, int stride, int pad, Tensor y) {
        Checks.Conv g = Checks.conv2d(x, w, stride, pad, y);
        CpuConv.forward(
                arr(x), arr(w), arr(y), g.n(), g.ci(), g.h(), g.w(), g.co(), g.kh(), g.kw(), stride,
                pad);
    }

    @Override
    public void conv2dBackwardInput(Tensor dy, Tensor w, int stride, int pad, Tensor dx) {
        Checks.Conv g = Checks.conv2d(dx, w, stride, pad, dy);
        CpuConv.backwardInput(
                arr(dy), arr(w), arr(dx), g.n(), g.ci(), g.h(), g.w(), g.co(), g.kh(), g.kw(),
                stride, pad);
    }

    @Override
    public void conv2dBackwardWeight(Tensor x, Tensor dy, int stride, int pad, Tensor dw) {
        Checks.Conv g = Checks.conv2d(x, dw, stride, pad, dy);
        CpuConv.backwardWeight(
                arr(x), arr(dy), arr(dw), g.n(), g.ci(), g.h(), g.w(), g.co(), g.kh(), g.kw(),
                stride, pad);
    }

    @Override
    public void convTranspose2d(Tensor x, Tensor w, int stride, int pad, Tensor y) {
        Checks.Conv g = Checks.convTranspose2d(x, w, stride, pad, y);
        CpuConv.transposeForward(
                arr(x),
                arr(w),
                arr(y),
                g.n(),
                g.co(),
                x.shape[2],
                x.shape[3],
                g.ci(),
                g.kh(),
                g.kw(),
                stride,
                pad,
                g.h(),
                g.w());
    }

    @Override
    public void batchNorm(BatchNormArgs a, Tensor x, boolean relu, Tensor y) {
        CpuBatchNorm.forward(arrays(a, x, y), arr(x), relu, arr(y));
    }

    @Override
    public void batchNormAddRelu(BatchNormArgs a, Tensor x, Tensor r, Tensor y) {
        CpuBatchNorm.forwardAddRelu(arrays(a, x, r, y), arr(x), arr(r), arr(y));
    }

    @Override
    public void batchNormBackward(
            BatchNormArgs a,
            Tensor x,
            Tensor reluOut,
            Tensor dy,
            Tensor dx,
            Tensor dGamma,
            Tensor dBeta) {
        Checks.batchNorm(x, new Tensor[] {dGamma, dBeta}, reluOut, dy, dx);
        CpuBatchNorm.backward(
                arrays(a, x),
                arr(x),
                orNull(reluOut),
                arr(dy),
                orNull(dx),
                orNull(dGamma),
                orNull(dBeta));
    }

    /** The kernels' view of a batch norm's arguments, shapes checked against x. */
    private static BatchNormArrays arrays(BatchNormArgs a, Tensor x, Tensor... likeX) {
        int[] s = Checks.batchNorm(x, a.perChannel(), likeX);
        if (a.counts() != null) a.values(x); // checks the counts
        return new BatchNormArrays(
                s[0],
                s[1],
                s[2] * s[3],
                a.training(),
                arr(a.gamma()),
                orNull(a.beta()),
                a.eps(),
                arr(a.mean()),
                arr(a.var()),
                a.counts(),
                orNull(a.runningMean()),
                orNull(a.runningVar()),
                a.factor() == null ? a.momentum() : arr(a.factor())[0]);
    }

    private static float[] orNull(Tensor t) {
        return t == null ? null : arr(t);
    }

    @Override
    public void avgPool2d(Tensor x, int k, int stride, Tensor y) {
        int[] s = Checks.avgPool2d(x, k, stride, y);
        PoolRef.avgForward(arr(x), arr(y), s[0] * s[1], s[2], s[3], k, stride);
    }

    @Override
    public void avgPool2dBackward(Tensor dy, int k, int stride, Tensor dx) {
        int[] s = Checks.avgPool2d(dx, k, stride, dy);
        PoolRef.avgBackward(arr(dy), arr(dx), s[0] * s[1], s[2], s[3], k, stride);
    }

    @Override
    public void imagePrior(
            Tensor x,
            int c,
            int h,
            int w,
            int[] counts,
            float l5,
            float l6,
            Tensor out,
            Tensor rL2,
            Tensor rTV) {
        float[] k = Checks.imagePrior(x, c, h, w, counts, l6), r = new float[3];
        ImagePriorRef.forward(arr(x), x.shape[0], c, h, w, counts, l5, l6, k, r);
        arr(out)[0] = r[0];
        if (rL2 != null) arr(rL2)[0] = r[1];
        if (rTV != null) arr(rTV)[0] = r[2];
    }

    @Override
    public void imagePriorBackward(
            Tensor x, int c, int h, int w, int[] counts, float l5, float l6, Tensor dy, Tensor dx) {
        float[] k = Checks.imagePrior(x, c, h, w, counts, l6);
        Checks.sameNumel(x, dx);
        ImagePriorRef.backward(arr(x), x.shape[0], c, h, w, counts, l5, l6, k, arr(dy)[0], arr(dx));
    }

    /** LogitTermsRef: one pass per row in double (the recall loss on the CPU stays composed). */
    @Override
    public void logitTerms(
            Tensor a,
            Tensor b,
            int[] mask,
            int[] counts,
            LogitWeights w,
            Tensor out,
            Tensor[] terms,
            Tensor colMean) {
        float[] f = Checks.logitTerms(a, b, mask, counts, w, colMean), r = new float[6];
        LogitTermsRef.forward(
                arr(a),
                w.needsB() ? arr(b) : null,
                a.shape[0],
                a.shape[1],
                mask,
                counts,
                w,
                f,
                r,
                colMean == null ? null : arr(colMean));
        arr(out)[0] = r[0];
        if (terms != null)
            for (int i = 0; i < 5; i++) if (terms[i] != null) arr(terms[i])[0] = r[i + 1];
    }

    @Override
    public void logitTermsBackward(
            Tensor a,
            Tensor b,
            int[] mask,
            int[] counts,
            LogitWeights w,
            Tensor colMean,
            Tensor dy,
            Tensor da,
            Tensor db) {
        float[] f = Checks.logitTermsBackward(a, b, mask, counts, w, colMean, da, db);
        LogitTermsRef.backward(
                arr(a),
                w.needsB() ? arr(b) : null,
                a.shape[0],
                a.shape[1],
                mask,
                counts,
                w,
                f,
                colMean == null ? null : arr(colMean),
                arr(dy)[0],
                da == null ? null : arr(da),
                db == null ? null : arr(db));
    }

    /**
     * Holder: the only place here that names ReluSimd (loaded on the first SIMD call, so JDK 17
     * without the Vector API never loads it); ReluFast is its naive twin.
     */
    private static final class Relu {
        static void backward(float[] x, float[] dy, float[] dx, int from, int to) {
            arm.kernels.cpu.simd.ReluSimd.backward(x, dy, dx, from, to);
        }
    }
}

package arm.kernels.cuda;

import static arm.tensor.Checks.rows;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;

import arm.tensor.Backend;
import arm.tensor.BatchNormArgs;
import arm.tensor.Binary;
import arm.tensor.Checks;
import arm.tensor.Device;
import arm.tensor.GraphCapture;
import arm.tensor.LogitWeights;
import arm.tensor.Profile;
import arm.tensor.Scope;
import arm.tensor.Shape;
import arm.tensor.Tensor;
import arm.tensor.Unary;
import java.util.LinkedHashMap;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * The CUDA backend: the same primitives as the CPU backend, on device tensors. GEMM runs in cuBLAS,
 * convolution / batch norm / pooling in cuDNN, everything else in our own kernels
 * (kernels/src/main/cuda/*.cu, one file per op family with forward and backward side by side).
 *
 * <p>Argument checks are the shared {@link Checks}, as in {@code CpuBackend}; every allocation is
 * registered with {@link Scope#track}. Host int[] arguments (gather indices, argmax) are copied per
 * call, which synchronises; they are small (one per row). Everything else is queued on the device's
 * stream without waiting.
 */
public final class CudaBackend implements Backend {
    static final int MAXR = 8; // MAXR in common.cuh
    final CudaDevice dev;
    final Blas blas;
    final Dnn dnn;
    final boolean ownPool = Boolean.getBoolean("arm.cuda.ownPool");

    private CudaBackend(CudaDevice dev, Blas blas, Dnn dnn) {
        this.dev = dev;
        this.cache =
                new DeviceInts<>(
                        // a refinement step cycles through ~10 index arrays (labels, counts, the
                        // columns of counted weights and masks): an LRU smaller than that cycle
                        // would upload, and wait, on every call
                        64,
                        (host, asFloat) -> {
                            CUdeviceptr d = dev.alloc(4L * Math.max(1, host.length));
                            dev.waited();
                            if (host.length > 0) {
                                if (asFloat) {
                                    float[] f = new float[host.length];
                                    for (int i = 0; i < f.length; i++) f[i] = host[i];
                                    cuMemcpyHtoD(d, Pointer.to(f), 4L * f.length);
                                } else {
                                    cuMemcpyHtoD(d, Pointer.to(host), 4L * host.length);
                                }
                            }
                            return d;
                        },
                        (d, n) -> dev.freeOrPark(d, 4L * Math.max(1, n)),
                        (host, asFloat, d) -> {
                            // a synchronous copy: work still queued may read the old contents
                            dev.sync();
                            if (host.length == 0) return;
                            if (asFloat) {
                                float[] f = new float[host.length];
                                for (int i = 0; i < f.length; i++) f[i] = host[i];
                                cuMemcpyHtoD(d, Pointer.to(f), 4L * f.length);
                            } else cuMemcpyHtoD(d, Pointer.to(host), 4L * host.length);
                        });
        this.graphs = new CudaGraphs(dev, cache);
        this.blas = blas;
        this.dnn = dnn;
    }

    /**
     * Initialises driver, kernels, cuBLAS and cuDNN; throws {@link CudaUnavailable} with one line.
     */
    public static CudaBackend create() {
        CudaDevice dev = CudaDevice.get();
        dev.loadKernels();
        return new CudaBackend(dev, Blas.get(), Dnn.get());
    }

    @Override
    public Device device() {
        return Device.CUDA;
    }

    @Override
    public String describe() {
        return "cuda: "
                + dev.name
                + " (sm_"
                + dev.ccMajor
                + dev.ccMinor
                + "), cuBLAS "
                + blas.version
                + (blas.tf32 ? " TF32" : " FP32")
                + ", cuDNN "
                + dnn.versionString()
                + (dnn.deterministic ? " deterministic" : " fastest algorithms")
                + (dev.stream == null ? ", legacy stream" : "")
                + ", own kernels sm_80–sm_90 fatbins"
                + (ownPool ? ", own pooling" : "");
    }

    /**
     * Device, driver, library versions and the math mode, e.g. {device: "NVIDIA H200",
     * driverCudaVersion: "13.0", cublas: 130100, cudnn: "9.19.0", tf32: false, jcuda: "12.6.0",
     * natives: "cuBLAS 13 / cuDNN 9"}.
     */
    @Override
    public Map<String, Object> info() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("backend", "cuda");
        m.putAll(dev.facts());
        m.put("cublas", blas.version);
        m.put("cudnn", dnn.versionString());
        m.put("tf32", blas.tf32);
        m.put("deterministic", dnn.deterministic);
        m.put("jcuda", JCudaNatives.JCUDA);
        m.put("natives", "cuBLAS " + CudaLibs.cublasMajor() + " / cuDNN " + CudaLibs.cudnnMajor());
        return m;
    }

    // ---------------------------------------------------------------- helpers

    static CUdeviceptr p(Tensor t) {
        if (!(t.storage instanceof CudaStorage s))
            throw new IllegalArgumentException(t + " is not a CUDA tensor; upload it first");
        return s.at(t.offset);
    }

    private static final CUdeviceptr NULL = new CUdeviceptr();

    private static void rank(int[] shape) {
        if (shape.length > MAXR)
            throw new IllegalArgumentException(
                    "CUDA kernels take rank <= " + MAXR + ", got " + Shape.str(shape));
    }

    static int code(Unary op) {
        switch (op) {
            case NEG:
                return 0;
            case EXP:
                return 1;
            case LOG:
                return 2;
            case SQRT:
                return 3;
            case POW:
                return 4;
            case RELU:
                return 5;
            case CLAMP_MIN:
                return 6;
            case SCALE:
                return 7;
            case ADD_SCALAR:
                return 8;
            case SIGMOID:
                return 9;
            case SOFTPLUS:
                return 10;
            case CLAMP_MAX:
                return 11;
            default:
                throw new UnsupportedOperationException(
                        "unary " + op + " has no CUDA kernel; run it with --device cpu");
        }
    }

    static int code(Binary op) {
        switch (op) {
            case ADD:
                return 0;
            case SUB:
                return 1;
            case MUL:
                return 2;
            case DIV:
                return 3;
            default:
                throw new AssertionError(op);
        }
    }

    /** One warp per row, 8 rows per block. */
    private static int warpBlocks(int rows) {
        return Math.max(1, Math.min((rows + 7) / 8, 65535));
    }

    /**
     * Device copies of recent host int[] arguments (gather / scatter indices, counts as floats),
     * keyed by content: a label vector or the counts of a recalled batch is uploaded once and then
     * reused by every layer and every refinement step of the iteration, instead of one synchronous
     * copy per call.
     */
    private final DeviceInts<CUdeviceptr> cache;

    // ---------------------------------------------------------------- memory

    @Override
    public Tensor zeros(int... shape) {
        int n = Shape.numel(shape);
        Tensor t = new Tensor(new CudaStorage(dev, n), 0, shape);
        Scope.track(t);
        if (n > 0) cuMemsetD32Async(p(t), 0, n, dev.stream);
        return t;
    }

    /** No memset: for outputs the next primitive overwrites. */
    @Override
    public Tensor empty(int... shape) {
        Tensor t = new Tensor(new CudaStorage(dev, Shape.numel(shape)), 0, shape);
        Scope.track(t);
        return t;
    }

    @Override
    public Tensor upload(float[] host, int... shape) {
        int n = Shape.numel(shape);
        if (host.length != n)
            throw new IllegalArgumentException(
                    host.length + " values do not fill shape " + Shape.str(shape));
        Tensor t = new Tensor(new CudaStorage(dev, n), 0, shape);
        Scope.track(t);
        dev.waited(); // a synchronous copy waits for the queued work before it
        if (n > 0) cuMemcpyHtoD(p(t), Pointer.to(host), 4L * n);
        return t;
    }

    @Override
    public float[] download(Tensor t) {
        dev.ensureCurrent(); // a thread that only reads results (e.g. evaluation on another thread)
        float[] out = new float[t.numel()];
        dev.waited();
        if (out.length > 0) cuMemcpyDtoH(Pointer.to(out), p(t), 4L * out.length);
        return out;
    }

    @Override
    public void fill(Tensor out, float value) {
        if (out.numel() > 0)
            cuMemsetD32Async(p(out), Float.floatToRawIntBits(value), out.numel(), dev.stream);
    }

    @Override
    public void copy(Tensor src, Tensor out) {
        Checks.sameNumel(src, out);
        if (src.numel() > 0) cuMemcpyDtoDAsync(p(out), p(src), 4L * src.numel(), dev.stream);
    }

    // ---------------------------------------------------------------- elementwise

    @Override
    public void unary(Unary op, Tensor x, float alpha, Tensor out) {
        Checks.sameNumel(x, out);
        int n = x.numel();
        dev.launch("unary_forward", n, code(op), p(x), alpha, p(out), n);
    }

    @Override
    public void unaryBackward(Unary op, Tensor x, Tensor y, Tensor dy, float alpha, Tensor dx) {
        Checks.sameNumel(x, dx);
        int n = x.numel();
        dev.launch("unary_backward", n, code(op), p(x), p(y), p(dy), alpha, p(dx), n);
    }

    @Override
    public void binary(Binary op, Tensor a, Tensor b, Tensor out) {
        Checks.binary(a, op, b, out);
        int n = out.numel();
        if (a.numel() == n && b.numel() == n) {
            dev.launch("binary_same", n, code(op), p(a), p(b), p(out), n);
        } else if (a.numel() == n && isRowBroadcast(b.shape, out.shape)) {
            dev.launch("binary_rows", n, code(op), p(a), p(b), p(out), n, b.numel());
        } else {
            rank(out.shape);
            int[] g = new int[1 + 3 * MAXR]; // struct Bcast { rank; shape[8]; sa[8]; sb[8]; }
            int[] sa = Shape.broadcastStrides(a.shape, out.shape),
                    sb = Shape.broadcastStrides(b.shape, out.shape);
            g[0] = out.rank();
            for (int d = 0; d < out.rank(); d++) {
                g[1 + d] = out.shape[d];
                g[1 + MAXR + d] = sa[d];
                g[1 + 2 * MAXR + d] = sb[d];
            }
            dev.launch("binary_bcast", n, code(op), p(a), p(b), p(out), n, g);
        }
    }

    /**
     * True when b only broadcasts over leading dimensions of out, i.e. b is a trailing block of out
     * repeated (a bias [C] over [N, C]): the case the binary_rows kernel runs.
     */
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
        Checks.sameNumel(x, y);
        dev.launch("axpy", x.numel(), alpha, p(x), p(y), x.numel());
    }

    // ---------------------------------------------------------------- linear algebra

    @Override
    public void gemm(
            boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        Checks.Gemm g = Checks.gemm(transA, transB, a, b, c);
        int m = g.m(), n = g.n(), k = g.k();
        if (m == 0 || n == 0) return;
        if (k == 0) { // cuBLAS would leave C untouched; the contract is C = beta·C (beta = 0
            // ignores C)
            if (beta == 0f) fill(c, 0f);
            else unary(Unary.SCALE, c, beta, c);
            return;
        }
        blas.sgemm(
                transA,
                transB,
                m,
                n,
                k,
                alpha,
                p(a),
                Math.max(1, a.shape[1]),
                p(b),
                Math.max(1, b.shape[1]),
                beta,
                p(c),
                n);
    }

    // ---------------------------------------------------------------- reductions

    @Override
    public void sumTo(Tensor x, Tensor out) {
        Checks.sumTo(x, out);
        int n = x.numel(), m = out.numel();
        if (m == n) {
            copy(x, out);
            return;
        }
        if (m == 0) return;
        if (m == 1 && n >= TWO_STAGE_MIN) {
            sumAll(x, out);
            return;
        }
        rank(x.shape);
        int r = x.rank(), off = r - out.rank();
        int[] g = new int[1 + 3 * MAXR]; // struct Reduce { rank; shape[8]; stride[8]; keep[8]; }
        int[] st = Shape.strides(x.shape);
        g[0] = r;
        for (int d = 0; d < r; d++) {
            int od = d < off ? 1 : out.shape[d - off];
            g[1 + d] = x.shape[d];
            g[1 + MAXR + d] = st[d];
            g[1 + 2 * MAXR + d] = od == x.shape[d] ? 1 : 0;
        }
        dev.launchBlocks(
                "sum_to", Math.min(m, 65535), CudaDevice.THREADS, p(x), p(out), m, n / m, g);
    }

    /** Below this many elements one block sums a scalar as fast as two stages. */
    static final int TWO_STAGE_MIN = 1 << 14;

    /**
     * Blocks of the first stage: one per 4096 elements, at most 1024; depends on n only (same bits
     * on every card).
     */
    static int twoStageParts(long n) {
        return (int) Math.min(1024, (n + 4095) / 4096);
    }

    /** out[0] = Σ x, in two stages (reduce.cu sum_all_partial, sum_all_final). */
    private void sumAll(Tensor x, Tensor out) {
        long n = x.numel();
        int parts = twoStageParts(n);
        CUdeviceptr partial = dev.alloc(8L * parts);
        try {
            dev.launchBlocks("sum_all_partial", parts, CudaDevice.THREADS, p(x), partial, n);
            dev.launchBlocks("sum_all_final", 1, CudaDevice.THREADS, partial, parts, p(out));
        } finally {
            dev.free(partial, 8L * parts); // reused only by later work on the same stream
        }
    }

    @Override
    public void maxLastAxis(Tensor x, Tensor values, int[] argmax) {
        Checks.maxLastAxis(x, values, argmax);
        int r = rows(x), c = x.dim(-1);
        if (r == 0) return;
        CUdeviceptr idx = argmax == null ? NULL : dev.alloc(4L * r);
        try {
            dev.launchBlocks(
                    "max_last_axis",
                    warpBlocks(r),
                    256,
                    p(x),
                    values == null ? NULL : p(values),
                    idx,
                    r,
                    c);
            if (argmax != null) {
                dev.waited();
                cuMemcpyDtoH(Pointer.to(argmax), idx, 4L * r);
            }
        } finally {
            if (argmax != null) dev.free(idx, 4L * r);
        }
    }

    // ---------------------------------------------------------------- softmax family

    @Override
    public void softmax(Tensor x, boolean log, Tensor out) {
        Checks.sameNumel(x, out);
        int r = rows(x);
        if (r > 0)
            dev.launchBlocks(
                    "softmax_forward", warpBlocks(r), 256, p(x), p(out), r, x.dim(-1), log ? 1 : 0);
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor dy, boolean log, Tensor dx) {
        Checks.softmaxBackward(y, dy, dx);
        int r = rows(y);
        if (r > 0)
            dev.launchBlocks(
                    "softmax_backward",
                    warpBlocks(r),
                    256,
                    p(y),
                    p(dy),
                    p(dx),
                    r,
                    y.dim(-1),
                    log ? 1 : 0);
    }

    // ---------------------------------------------------------------- indexing and layout

    @Override
    public void gatherLastAxis(Tensor x, int[] index, Tensor out) {
        Checks.lastAxisIndex("gather", x, index, out);
        int c = x.dim(-1), r = rows(x);
        if (r == 0) return;
        dev.launch("gather_last", r, p(x), cache.get(index, false), p(out), r, c);
    }

    @Override
    public void scatterAddLastAxis(Tensor dOut, int[] index, Tensor dx) {
        Checks.lastAxisIndex("scatter", dx, index, dOut);
        int c = dx.dim(-1), r = rows(dx);
        if (r == 0) return;
        dev.launch("scatter_add_last", r, p(dOut), cache.get(index, false), p(dx), r, c);
    }

    @Override
    public void maxLastAxisIndex(Tensor x, Tensor values, Tensor argmax) {
        Checks.maxLastAxis(x, values, null);
        int r = rows(x), c = x.dim(-1);
        if (argmax.numel() != r)
            throw new IllegalArgumentException(
                    "argmax " + argmax + " for the " + r + " rows of " + x);
        if (r > 0)
            dev.launchBlocks(
                    "max_last_axis_f",
                    warpBlocks(r),
                    256,
                    p(x),
                    values == null ? NULL : p(values),
                    p(argmax),
                    r,
                    c);
    }

    @Override
    public void gatherLastAxis(Tensor x, Tensor index, Tensor out) {
        int r = rows(x), c = x.dim(-1);
        if (index.numel() != r || out.numel() != r)
            throw new IllegalArgumentException(
                    "gather: " + r + " rows of " + x + ", index " + index + ", " + out);
        if (r > 0) dev.launch("gather_last_f", r, p(x), p(index), p(out), r, c);
    }

    @Override
    public void scatterAddLastAxis(Tensor dOut, Tensor index, Tensor dx) {
        int r = rows(dx), c = dx.dim(-1);
        if (index.numel() != r || dOut.numel() != r)
            throw new IllegalArgumentException(
                    "scatter: " + r + " rows of " + dx + ", index " + index + ", " + dOut);
        if (r > 0) dev.launch("scatter_add_last_f", r, p(dOut), p(index), p(dx), r, c);
    }

    @Override
    public void permute(Tensor x, int[] perm, Tensor out) {
        Checks.permute(x, perm, out);
        rank(x.shape);
        int r = x.rank();
        int[] xs = Shape.strides(x.shape);
        int[] g = new int[1 + 2 * MAXR]; // struct Perm { rank; shape[8]; step[8]; }
        g[0] = r;
        for (int d = 0; d < r; d++) {
            g[1 + d] = x.shape[perm[d]];
            g[1 + MAXR + d] = xs[perm[d]];
        }
        int n = x.numel();
        if (n > 0) dev.launch("permute", n, p(x), p(out), n, g);
    }

    @Override
    public void copyAlongAxis(
            Tensor src, int axis, int srcStart, Tensor dst, int dstStart, int length) {
        Checks.copyAlongAxis(src, axis, srcStart, dst, dstStart, length);
        int outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= src.shape[d];
        for (int d = axis + 1; d < src.rank(); d++) inner *= src.shape[d];
        long n = (long) outer * length * inner;
        if (n > 0)
            dev.launch(
                    "copy_along_axis",
                    n,
                    p(src),
                    p(dst),
                    outer,
                    src.shape[axis],
                    dst.shape[axis],
                    srcStart,
                    dstStart,
                    length,
                    inner);
    }

    // ---------------------------------------------------------------- convolution (cuDNN)

    @Override
    public void conv2d(Tensor x, Tensor w, int stride, int pad, Tensor y) {
        Checks.Conv g = Checks.conv2d(x, w, stride, pad, y);
        dnn.convForward(
                p(x), p(w), p(y), g.n(), g.ci(), g.h(), g.w(), g.co(), g.kh(), g.kw(), stride, pad);
    }

    @Override
    public void conv2dBackwardInput(Tensor dy, Tensor w, int stride, int pad, Tensor dx) {
        Checks.Conv g = Checks.conv2d(dx, w, stride, pad, dy);
        dnn.convBackwardData(
                p(dy), p(w), p(dx), g.n(), g.ci(), g.h(), g.w(), g.co(), g.kh(), g.kw(), stride,
                pad);
    }

    @Override
    public void conv2dBackwardWeight(Tensor x, Tensor dy, int stride, int pad, Tensor dw) {
        Checks.Conv g = Checks.conv2d(x, dw, stride, pad, dy);
        dnn.convBackwardFilter(
                p(x), p(dy), p(dw), g.n(), g.ci(), g.h(), g.w(), g.co(), g.kh(), g.kw(), stride,
                pad);
    }

    /** cuDNN's backward-data convolution of the convolution y → x (see {@link Backend}). */
    @Override
    public void convTranspose2d(Tensor x, Tensor w, int stride, int pad, Tensor y) {
        Checks.Conv g = Checks.convTranspose2d(x, w, stride, pad, y);
        dnn.convBackwardData(
                p(x), p(w), p(y), g.n(), g.ci(), g.h(), g.w(), g.co(), g.kh(), g.kw(), stride, pad);
    }

    // ---------------------------------------------------------------- ARM's image prior

    /**
     * Two kernels of ours (prior.cu): the three weighted sums of each image, one block per image,
     * then the scalars in one block. Counts are uploaded once per content.
     */
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
        float[] k = Checks.imagePrior(x, c, h, w, counts, l6);
        int u = x.shape[0];
        Tensor part = empty(u, 3);
        dev.launchBlocks(
                "image_prior_rows",
                Math.min(u, 65535),
                CudaDevice.THREADS,
                p(x),
                counts == null ? NULL : cache.get(counts, true),
                p(part),
                u,
                c,
                h,
                w);
        dev.launchBlocks(
                "image_prior_final",
                1,
                CudaDevice.THREADS,
                p(part),
                u,
                k[0],
                k[1],
                k[2],
                k[3],
                l5,
                l6,
                p(out),
                rL2 == null ? NULL : p(rL2),
                rTV == null ? NULL : p(rTV));
    }

    /** One kernel of ours (prior.cu), one block per image; dy is read on the device. */
    @Override
    public void imagePriorBackward(
            Tensor x, int c, int h, int w, int[] counts, float l5, float l6, Tensor dy, Tensor dx) {
        float[] k = Checks.imagePrior(x, c, h, w, counts, l6);
        Checks.sameNumel(x, dx);
        int u = x.shape[0];
        dev.launchBlocks(
                "image_prior_backward",
                Math.min(u, 65535),
                CudaDevice.THREADS,
                p(x),
                counts == null ? NULL : cache.get(counts, true),
                p(dy),
                u,
                c,
                h,
                w,
                (double) l5 * k[0],
                2.0 * l6 * k[3] * k[1],
                2.0 * l6 * k[3] * k[2],
                p(dx));
    }

    // ---------------------------------------------------------------- ARM's logit terms

    /**
     * One kernel of ours (logits.cu), one block: a thread per row, then the block's sums, p̄ and
     * the terms; the scratch holds the weighted softmax rows (U·K doubles) for the column sums. The
     * mask and counts are uploaded once per content.
     */
    @Override
    public void writeInts(int[] slot) {
        Backend.super.writeInts(slot);
        cache.write(slot);
    }

    @Override
    public void releaseInts(int[] slot) {
        Backend.super.releaseInts(slot);
        cache.release(slot);
    }

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
        float[] f = Checks.logitTerms(a, b, mask, counts, w, colMean);
        int u = a.shape[0], k = a.shape[1];
        Tensor wp = empty(u, 2 * k); // U·K doubles
        dev.launchBlocks(
                "logit_terms_forward",
                1,
                CudaDevice.THREADS,
                p(a),
                w.needsB() ? p(b) : NULL,
                cache.get(mask, true),
                counts == null ? NULL : cache.get(counts, true),
                u,
                k,
                w.divergence(),
                w.wD(),
                w.l1(),
                w.l2(),
                w.l3(),
                w.l4(),
                f[2],
                f[3],
                f[4],
                p(wp),
                p(out),
                term(terms, 0),
                term(terms, 1),
                term(terms, 2),
                term(terms, 3),
                term(terms, 4),
                colMean == null ? NULL : p(colMean));
    }

    private static CUdeviceptr term(Tensor[] terms, int i) {
        return terms == null || terms[i] == null ? NULL : p(terms[i]);
    }

    /** One kernel of ours (logits.cu), a thread per row; dy is read on the device. */
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
        int u = a.shape[0], k = a.shape[1];
        dev.launch(
                "logit_terms_backward",
                u,
                p(a),
                w.needsB() ? p(b) : NULL,
                cache.get(mask, true),
                counts == null ? NULL : cache.get(counts, true),
                colMean == null ? NULL : p(colMean),
                p(dy),
                u,
                k,
                w.divergence(),
                (double) w.wD(),
                (double) w.l1(),
                (double) w.l2(),
                (double) w.l3(),
                (double) w.l4(),
                1.0 / f[0],
                (double) f[1],
                da == null ? NULL : p(da),
                db == null ? NULL : p(db));
    }

    // ---------------------------------------------------------------- batch norm (cuDNN)

    /**
     * cuDNN for the plain forms (a ReLU after it when fused), two fused kernels of ours
     * (batchnorm.cu) for the counted training form: weighted statistics per channel, then normalise
     * (+ ReLU); then the running-statistics update, one kernel.
     */
    @Override
    public void batchNorm(BatchNormArgs a, Tensor x, boolean relu, Tensor y) {
        int[] s = Checks.batchNorm(x, a.perChannel(), y);
        int n = s[0], c = s[1], h = s[2], w = s[3];
        if (c == 0) return;
        if (a.training() && a.counts() != null) {
            countedStatistics(a, x);
            dev.launch(
                    "bn_apply",
                    x.numel(),
                    p(x),
                    p(a.gamma()),
                    p(a.beta()),
                    p(a.mean()),
                    p(a.var()),
                    (double) a.eps(),
                    relu ? 1 : 0,
                    p(y),
                    (long) x.numel(),
                    c,
                    h * w);
        } else {
            if (a.training())
                dnn.batchNormTrain(
                        p(x),
                        p(a.gamma()),
                        p(a.beta()),
                        a.eps(),
                        p(y),
                        p(a.mean()),
                        p(a.var()),
                        n,
                        c,
                        h,
                        w);
            else
                dnn.batchNormEval(
                        p(x),
                        p(a.gamma()),
                        p(a.beta()),
                        p(a.mean()),
                        p(a.var()),
                        a.eps(),
                        p(y),
                        n,
                        c,
                        h,
                        w);
            if (relu) unary(Unary.RELU, y, 0f, y);
        }
        if (a.training() && a.runningMean() != null) updateRunning(a, x);
    }

    private void countedStatistics(BatchNormArgs a, Tensor x) {
        double invM = 1.0 / a.values(x);
        dev.launchBlocks(
                "bn_counted_stats",
                Math.min(x.shape[1], 65535),
                CudaDevice.THREADS,
                p(x),
                cache.get(a.counts(), true),
                p(a.mean()),
                p(a.var()),
                x.shape[0],
                x.shape[1],
                x.shape[2] * x.shape[3],
                invM);
    }

    /**
     * PyTorch's momentum rule in one kernel, with the unbiased variance σ²·m/(m − 1); the factor by
     * value, or read from its device scalar by the kernel when the arguments give one.
     */
    private void updateRunning(BatchNormArgs a, Tensor x) {
        int c = a.runningMean().numel();
        double m = a.values(x);
        float momentum = a.momentum(), unbias = (float) (m / (m - 1));
        if (a.factor() != null) {
            dev.launch(
                    "bn_update_running_at",
                    c,
                    p(a.runningMean()),
                    p(a.runningVar()),
                    p(a.mean()),
                    p(a.var()),
                    p(a.factor()),
                    unbias,
                    c);
            return;
        }
        dev.launch(
                "bn_update_running",
                c,
                p(a.runningMean()),
                p(a.runningVar()),
                p(a.mean()),
                p(a.var()),
                1f - momentum,
                momentum,
                momentum * unbias,
                c);
    }

    /**
     * cuDNN for the plain form (after masking dy by the ReLU when fused), two fused kernels of ours
     * (batchnorm.cu) for the counted form: the per-channel sums, then dx elementwise.
     */
    @Override
    public void batchNormBackward(
            BatchNormArgs a,
            Tensor x,
            Tensor reluOut,
            Tensor dy,
            Tensor dx,
            Tensor dGamma,
            Tensor dBeta) {
        int[] s =
                Checks.batchNorm(
                        x,
                        new Tensor[] {a.gamma(), a.mean(), a.var(), dGamma, dBeta},
                        reluOut,
                        dy,
                        dx);
        if (s[1] == 0) return;
        if (a.counts() != null) {
            countedBackward(a, x, reluOut, dy, dx, dGamma, dBeta);
            return;
        }
        Tensor g = dy;
        if (reluOut != null) {
            g = zeros(dy.shape);
            unaryBackward(Unary.RELU, reluOut, reluOut, dy, 0f, g);
        }
        dnn.batchNormBackward(
                p(x),
                p(g),
                p(a.gamma()),
                p(a.mean()),
                p(a.var()),
                a.eps(),
                dx == null ? null : p(dx),
                dGamma == null ? null : p(dGamma),
                dBeta == null ? null : p(dBeta),
                s[0],
                s[1],
                s[2],
                s[3]);
    }

    private void countedBackward(
            BatchNormArgs a,
            Tensor x,
            Tensor reluOut,
            Tensor dy,
            Tensor dx,
            Tensor dGamma,
            Tensor dBeta) {
        double invM = 1.0 / a.values(x);
        int n = x.shape[0], c = x.shape[1], hw = x.shape[2] * x.shape[3];
        CUdeviceptr dg = dGamma != null ? p(dGamma) : dev.alloc(4L * c),
                db = dBeta != null ? p(dBeta) : dev.alloc(4L * c);
        CUdeviceptr z = reluOut == null ? NULL : p(reluOut);
        try {
            dev.launchBlocks(
                    "bn_counted_backward_sums",
                    Math.min(c, 65535),
                    CudaDevice.THREADS,
                    p(x),
                    p(dy),
                    z,
                    p(a.mean()),
                    p(a.var()),
                    (double) a.eps(),
                    dg,
                    db,
                    n,
                    c,
                    hw);
            if (dx != null)
                dev.launch(
                        "bn_counted_backward_dx",
                        x.numel(),
                        p(x),
                        p(dy),
                        z,
                        cache.get(a.counts(), true),
                        p(a.gamma()),
                        p(a.mean()),
                        p(a.var()),
                        dg,
                        db,
                        (double) a.eps(),
                        invM,
                        p(dx),
                        (long) x.numel(),
                        c,
                        hw);
        } finally {
            if (dGamma == null) dev.free(dg, 4L * c);
            if (dBeta == null) dev.free(db, 4L * c);
        }
    }

    // ---------------------------------------------------------------- pooling (cuDNN, or ours)

    @Override
    public void avgPool2d(Tensor x, int k, int stride, Tensor y) {
        int[] s = Checks.avgPool2d(x, k, stride, y);
        if (ownPool) avgPool2dOwn(x, k, stride, y);
        else dnn.avgPoolForward(p(x), p(y), s[0], s[1], s[2], s[3], k, stride);
    }

    @Override
    public void avgPool2dBackward(Tensor dy, int k, int stride, Tensor dx) {
        int[] s = Checks.avgPool2d(dx, k, stride, dy);
        if (ownPool) avgPool2dBackwardOwn(dy, k, stride, dx);
        else dnn.avgPoolBackward(p(dy), p(dx), s[0], s[1], s[2], s[3], k, stride);
    }

    /** Our kernel twin of {@link #avgPool2d} (pool.cu). */
    public void avgPool2dOwn(Tensor x, int k, int stride, Tensor y) {
        int[] s = Checks.avgPool2d(x, k, stride, y);
        dev.launch("avg_pool_forward", y.numel(), p(x), p(y), s[0] * s[1], s[2], s[3], k, stride);
    }

    /** Our kernel twin of {@link #avgPool2dBackward} (pool.cu). */
    public void avgPool2dBackwardOwn(Tensor dy, int k, int stride, Tensor dx) {
        int[] s = Checks.avgPool2d(dx, k, stride, dy);
        dev.launch(
                "avg_pool_backward", dx.numel(), p(dy), p(dx), s[0] * s[1], s[2], s[3], k, stride);
    }

    /** CUDA graphs of our stream; null on the legacy stream, which cannot be captured. */
    @Override
    public GraphCapture graphCapture() {
        return dev.stream == null ? null : graphs;
    }

    private final CudaGraphs graphs;

    /** CUDA events on our stream, and the device's launch / host-wait counters. */
    @Override
    public Profile.Recorder profileRecorder() {
        return new Profile.Recorder(
                new CudaEvents(dev),
                new Profile.Counters() {
                    @Override
                    public long launches() {
                        return dev.launches();
                    }

                    @Override
                    public long syncs() {
                        return dev.syncs();
                    }
                });
    }

    /** Waits for the GPU (for timing). */
    @Override
    public void sync() {
        dev.sync();
    }
}

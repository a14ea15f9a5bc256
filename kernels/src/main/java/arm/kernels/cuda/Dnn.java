package arm.kernels.cuda;

import static jcuda.jcudnn.JCudnn.cudnnBatchNormalizationBackward;
import static jcuda.jcudnn.JCudnn.cudnnBatchNormalizationForwardInference;
import static jcuda.jcudnn.JCudnn.cudnnBatchNormalizationForwardTraining;
import static jcuda.jcudnn.JCudnn.cudnnConvolutionBackwardData;
import static jcuda.jcudnn.JCudnn.cudnnConvolutionBackwardFilter;
import static jcuda.jcudnn.JCudnn.cudnnConvolutionForward;
import static jcuda.jcudnn.JCudnn.cudnnCreate;
import static jcuda.jcudnn.JCudnn.cudnnCreateConvolutionDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnCreateFilterDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnCreatePoolingDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnCreateTensorDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnDeriveBNTensorDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7;
import static jcuda.jcudnn.JCudnn.cudnnGetConvolutionBackwardDataWorkspaceSize;
import static jcuda.jcudnn.JCudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7;
import static jcuda.jcudnn.JCudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize;
import static jcuda.jcudnn.JCudnn.cudnnGetConvolutionForwardAlgorithm_v7;
import static jcuda.jcudnn.JCudnn.cudnnGetConvolutionForwardWorkspaceSize;
import static jcuda.jcudnn.JCudnn.cudnnPoolingBackward;
import static jcuda.jcudnn.JCudnn.cudnnPoolingForward;
import static jcuda.jcudnn.JCudnn.cudnnSetConvolution2dDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnSetConvolutionMathType;
import static jcuda.jcudnn.JCudnn.cudnnSetFilter4dDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnSetPooling2dDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnSetStream;
import static jcuda.jcudnn.JCudnn.cudnnSetTensor4dDescriptor;
import static jcuda.jcudnn.cudnnBatchNormMode.CUDNN_BATCHNORM_SPATIAL;
import static jcuda.jcudnn.cudnnConvolutionMode.CUDNN_CROSS_CORRELATION;
import static jcuda.jcudnn.cudnnDataType.CUDNN_DATA_FLOAT;
import static jcuda.jcudnn.cudnnTensorFormat.CUDNN_TENSOR_NCHW;

import arm.tensor.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionBwdFilterAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnConvolutionFwdAlgoPerf;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnMathType;
import jcuda.jcudnn.cudnnNanPropagation;
import jcuda.jcudnn.cudnnPoolingDescriptor;
import jcuda.jcudnn.cudnnPoolingMode;
import jcuda.jcudnn.cudnnTensorDescriptor;

/**
 * cuDNN's legacy API through JCudnn 11.7 (natives adapted to libcudnn.so.9): convolution forward /
 * backward-data / backward-filter, batch norm, average pooling. Only functions that exist in cuDNN
 * 9 are called (gpu/README.md); status codes are checked here with cudnnGetErrorString, because
 * cuDNN 9 renumbered them and JCudnn 11.7 does not know the new ones.
 *
 * <p>Descriptors and the chosen algorithms are cached per shape (a ResNet has a handful of shapes).
 */
public final class Dnn {
    private static Dnn instance;
    public final cudnnHandle handle = new cudnnHandle();
    public final long version;
    private final boolean tf32;

    /** Deterministic convolution algorithms only (see {@link AlgoPick}). */
    public final boolean deterministic = AlgoPick.deterministicByDefault();

    /** How many ranked candidates to ask cuDNN for (more than any of the three has algorithms). */
    private static final int RANKED = 12;

    private final CudaDevice dev;
    private final Map<String, Conv> convs = new HashMap<>();
    private final Map<String, Object[]> tensors = new HashMap<>();
    private final Map<String, cudnnPoolingDescriptor> pools = new HashMap<>();
    private CUdeviceptr workspace;
    private long workspaceBytes;
    private static final Pointer ONE = Pointer.to(new float[] {1f}),
            ZERO = Pointer.to(new float[] {0f});

    /**
     * cuDNN refuses batch-norm epsilons below CUDNN_BN_MIN_EPSILON (1e-5); 1e-5f is just below in
     * double.
     */
    static final double BN_MIN_EPS = 1e-5;

    public static synchronized Dnn get() {
        if (instance == null) {
            CudaDevice dev = CudaDevice.get();
            int major = CudaLibs.cudnnMajor();
            if (major == 0)
                throw new CudaUnavailable(
                        "cuDNN not available: neither libcudnn.so.9 nor libcudnn.so.8 found");
            try {
                JCudaNatives.load("JCudnn", "jcuda.jcudnn.JCudnn");
            } catch (UnsatisfiedLinkError e) {
                throw new CudaUnavailable(
                        "cuDNN " + major + " not loadable: " + Blas.firstLine(e.getMessage()));
            }
            dev.makeCurrent();
            instance = new Dnn(dev, Boolean.getBoolean("arm.cuda.tf32"));
        }
        return instance;
    }

    private Dnn(CudaDevice dev, boolean tf32) {
        this.dev = dev;
        this.tf32 = tf32;
        check(cudnnCreate(handle), "cudnnCreate");
        if (dev.stream != null)
            check(
                    cudnnSetStream(handle, new jcuda.runtime.cudaStream_t(dev.stream)),
                    "cudnnSetStream");
        version = JCudnn.cudnnGetVersion();
    }

    static void check(int status, String what) {
        if (status != 0) {
            String msg;
            try {
                msg = JCudnn.cudnnGetErrorString(status);
            } catch (RuntimeException | LinkageError e) {
                msg = "?";
            }
            throw new IllegalStateException(
                    what + " failed: " + msg + " (cudnnStatus " + status + ")");
        }
    }

    private cudnnTensorDescriptor tensor(int n, int c, int h, int w) {
        return (cudnnTensorDescriptor) tensorAndBn(n, c, h, w)[0];
    }

    /** [NCHW descriptor, derived per-channel BN descriptor], cached. */
    private Object[] tensorAndBn(int n, int c, int h, int w) {
        return tensors.computeIfAbsent(
                n + "," + c + "," + h + "," + w,
                k -> {
                    cudnnTensorDescriptor t = new cudnnTensorDescriptor(),
                            bn = new cudnnTensorDescriptor();
                    check(cudnnCreateTensorDescriptor(t), "cudnnCreateTensorDescriptor");
                    check(
                            cudnnSetTensor4dDescriptor(
                                    t, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, n, c, h, w),
                            "cudnnSetTensor4dDescriptor " + k);
                    check(cudnnCreateTensorDescriptor(bn), "cudnnCreateTensorDescriptor");
                    check(
                            cudnnDeriveBNTensorDescriptor(bn, t, CUDNN_BATCHNORM_SPATIAL),
                            "cudnnDeriveBNTensorDescriptor");
                    return new Object[] {t, bn};
                });
    }

    private CUdeviceptr workspace(long bytes) {
        if (bytes > workspaceBytes) {
            // a graph captured before (another U, step A) bakes in the old block: parked while
            // graphs live, so no later tensor takes its address under a replay
            if (workspace != null) dev.freeOrPark(workspace, workspaceBytes);
            workspace = dev.alloc(bytes);
            workspaceBytes = bytes;
        }
        return workspace;
    }

    // ---------------------------------------------------------------- convolution

    /** Descriptors and algorithms for one convolution shape. */
    private static final class Conv {
        cudnnTensorDescriptor x, y;
        cudnnFilterDescriptor w = new cudnnFilterDescriptor();
        cudnnConvolutionDescriptor conv = new cudnnConvolutionDescriptor();
        int fwd, bwdData, bwdFilter;
        long fwdWs, bwdDataWs, bwdFilterWs;
    }

    private Conv conv(int n, int ci, int h, int w, int co, int kh, int kw, int stride, int pad) {
        String key =
                n + "," + ci + "," + h + "," + w + "," + co + "," + kh + "," + kw + "," + stride
                        + "," + pad;
        Conv cached = convs.get(key);
        if (cached != null) return cached;
        Conv c = new Conv();
        int ho = Shape.convOut(h, kh, stride, pad), wo = Shape.convOut(w, kw, stride, pad);
        c.x = tensor(n, ci, h, w);
        c.y = tensor(n, co, ho, wo);
        check(cudnnCreateFilterDescriptor(c.w), "cudnnCreateFilterDescriptor");
        check(
                cudnnSetFilter4dDescriptor(
                        c.w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, co, ci, kh, kw),
                "cudnnSetFilter4dDescriptor");
        check(cudnnCreateConvolutionDescriptor(c.conv), "cudnnCreateConvolutionDescriptor");
        check(
                cudnnSetConvolution2dDescriptor(
                        c.conv,
                        pad,
                        pad,
                        stride,
                        stride,
                        1,
                        1,
                        CUDNN_CROSS_CORRELATION,
                        CUDNN_DATA_FLOAT),
                "cudnnSetConvolution2dDescriptor");
        // FMA math keeps FP32 exact to float rounding; the default allows TF32 tensor cores on
        // sm_80+
        check(
                cudnnSetConvolutionMathType(
                        c.conv,
                        tf32 ? cudnnMathType.CUDNN_DEFAULT_MATH : cudnnMathType.CUDNN_FMA_MATH),
                "cudnnSetConvolutionMathType");
        long[] ws = new long[1];
        String what = " " + key + " (n,ci,h,w,co,kh,kw,stride,pad)";

        cudnnConvolutionFwdAlgoPerf[] fp = new cudnnConvolutionFwdAlgoPerf[RANKED];
        for (int i = 0; i < fp.length; i++) fp[i] = new cudnnConvolutionFwdAlgoPerf();
        c.fwd =
                pick(
                        fp,
                        (cnt, out) ->
                                cudnnGetConvolutionForwardAlgorithm_v7(
                                        handle, c.x, c.w, c.conv, c.y, RANKED, cnt, out),
                        "cudnnGetConvolutionForwardAlgorithm_v7",
                        p -> new AlgoPick(p.algo, p.status, p.determinism, p.mathType),
                        "forward" + what);
        check(
                cudnnGetConvolutionForwardWorkspaceSize(handle, c.x, c.w, c.conv, c.y, c.fwd, ws),
                "cudnnGetConvolutionForwardWorkspaceSize");
        c.fwdWs = ws[0];

        cudnnConvolutionBwdDataAlgoPerf[] dp = new cudnnConvolutionBwdDataAlgoPerf[RANKED];
        for (int i = 0; i < dp.length; i++) dp[i] = new cudnnConvolutionBwdDataAlgoPerf();
        c.bwdData =
                pick(
                        dp,
                        (cnt, out) ->
                                cudnnGetConvolutionBackwardDataAlgorithm_v7(
                                        handle, c.w, c.y, c.conv, c.x, RANKED, cnt, out),
                        "cudnnGetConvolutionBackwardDataAlgorithm_v7",
                        p -> new AlgoPick(p.algo, p.status, p.determinism, p.mathType),
                        "backward-data" + what);
        check(
                cudnnGetConvolutionBackwardDataWorkspaceSize(
                        handle, c.w, c.y, c.conv, c.x, c.bwdData, ws),
                "cudnnGetConvolutionBackwardDataWorkspaceSize");
        c.bwdDataWs = ws[0];

        cudnnConvolutionBwdFilterAlgoPerf[] wp = new cudnnConvolutionBwdFilterAlgoPerf[RANKED];
        for (int i = 0; i < wp.length; i++) wp[i] = new cudnnConvolutionBwdFilterAlgoPerf();
        c.bwdFilter =
                pick(
                        wp,
                        (cnt, out) ->
                                cudnnGetConvolutionBackwardFilterAlgorithm_v7(
                                        handle, c.x, c.y, c.conv, c.w, RANKED, cnt, out),
                        "cudnnGetConvolutionBackwardFilterAlgorithm_v7",
                        p -> new AlgoPick(p.algo, p.status, p.determinism, p.mathType),
                        "backward-filter" + what);
        check(
                cudnnGetConvolutionBackwardFilterWorkspaceSize(
                        handle, c.x, c.y, c.conv, c.w, c.bwdFilter, ws),
                "cudnnGetConvolutionBackwardFilterWorkspaceSize");
        c.bwdFilterWs = ws[0];
        convs.put(key, c);
        return c;
    }

    /** One of cudnnGet*Algorithm_v7: fills perf with its ranked candidates, returns a status. */
    private interface RankedQuery<P> {
        int run(int[] count, P[] perf);
    }

    /**
     * The algorithm {@link AlgoPick} chooses from one cuDNN ranking (forward, backward-data and
     * backward-filter differ only in their perf class and query).
     */
    private <P> int pick(
            P[] perf, RankedQuery<P> query, String call, Function<P, AlgoPick> view, String what) {
        int[] count = new int[1];
        check(query.run(count, perf), call);
        List<AlgoPick> ranked = new ArrayList<>();
        for (int i = 0; i < count[0]; i++) ranked.add(view.apply(perf[i]));
        return AlgoPick.choose(ranked, tf32, deterministic, what);
    }

    /** y[N,Co,Ho,Wo] = conv(x[N,Ci,H,W], w[Co,Ci,kh,kw]) (overwrites y). */
    public void convForward(
            CUdeviceptr x,
            CUdeviceptr w,
            CUdeviceptr y,
            int n,
            int ci,
            int h,
            int wd,
            int co,
            int kh,
            int kw,
            int stride,
            int pad) {
        Conv c = conv(n, ci, h, wd, co, kh, kw, stride, pad);
        dev.counted();
        check(
                cudnnConvolutionForward(
                        handle,
                        ONE,
                        c.x,
                        x,
                        c.w,
                        w,
                        c.conv,
                        c.fwd,
                        workspace(c.fwdWs),
                        c.fwdWs,
                        ZERO,
                        c.y,
                        y),
                "cudnnConvolutionForward");
    }

    /** dx = input gradient (overwrites dx). */
    public void convBackwardData(
            CUdeviceptr dy,
            CUdeviceptr w,
            CUdeviceptr dx,
            int n,
            int ci,
            int h,
            int wd,
            int co,
            int kh,
            int kw,
            int stride,
            int pad) {
        Conv c = conv(n, ci, h, wd, co, kh, kw, stride, pad);
        dev.counted();
        check(
                cudnnConvolutionBackwardData(
                        handle,
                        ONE,
                        c.w,
                        w,
                        c.y,
                        dy,
                        c.conv,
                        c.bwdData,
                        workspace(c.bwdDataWs),
                        c.bwdDataWs,
                        ZERO,
                        c.x,
                        dx),
                "cudnnConvolutionBackwardData");
    }

    /** dw = weight gradient (overwrites dw). */
    public void convBackwardFilter(
            CUdeviceptr x,
            CUdeviceptr dy,
            CUdeviceptr dw,
            int n,
            int ci,
            int h,
            int wd,
            int co,
            int kh,
            int kw,
            int stride,
            int pad) {
        Conv c = conv(n, ci, h, wd, co, kh, kw, stride, pad);
        dev.counted();
        check(
                cudnnConvolutionBackwardFilter(
                        handle,
                        ONE,
                        c.x,
                        x,
                        c.y,
                        dy,
                        c.conv,
                        c.bwdFilter,
                        workspace(c.bwdFilterWs),
                        c.bwdFilterWs,
                        ZERO,
                        c.w,
                        dw),
                "cudnnConvolutionBackwardFilter");
    }

    /**
     * The algorithms picked for a shape, for the check's log: "fwd a / bwdData b / bwdFilter c".
     */
    public String algorithms(
            int n, int ci, int h, int w, int co, int kh, int kw, int stride, int pad) {
        Conv c = conv(n, ci, h, w, co, kh, kw, stride, pad);
        return "fwd " + c.fwd + " / bwdData " + c.bwdData + " / bwdFilter " + c.bwdFilter;
    }

    // ---------------------------------------------------------------- batch norm (spatial, per
    // channel)

    static double eps(float eps) {
        return Math.max(eps, BN_MIN_EPS);
    }

    /**
     * Training forward: y, batch mean, and the biased batch variance (from cuDNN's inverse std).
     */
    public void batchNormTrain(
            CUdeviceptr x,
            CUdeviceptr gamma,
            CUdeviceptr beta,
            float eps,
            CUdeviceptr y,
            CUdeviceptr mean,
            CUdeviceptr var,
            int n,
            int c,
            int h,
            int w) {
        Object[] d = tensorAndBn(n, c, h, w);
        cudnnTensorDescriptor t = (cudnnTensorDescriptor) d[0], bn = (cudnnTensorDescriptor) d[1];
        double e = eps(eps);
        CUdeviceptr inv = dev.alloc(4L * c);
        try {
            dev.counted();
            check(
                    cudnnBatchNormalizationForwardTraining(
                            handle,
                            CUDNN_BATCHNORM_SPATIAL,
                            ONE,
                            ZERO,
                            t,
                            x,
                            t,
                            y,
                            bn,
                            gamma,
                            beta,
                            0.0,
                            null,
                            null,
                            e,
                            mean,
                            inv),
                    "cudnnBatchNormalizationForwardTraining");
            dev.launch("var_from_invstd", c, inv, var, e, c);
        } finally {
            dev.free(inv, 4L * c);
        }
    }

    public void batchNormEval(
            CUdeviceptr x,
            CUdeviceptr gamma,
            CUdeviceptr beta,
            CUdeviceptr mean,
            CUdeviceptr var,
            float eps,
            CUdeviceptr y,
            int n,
            int c,
            int h,
            int w) {
        Object[] d = tensorAndBn(n, c, h, w);
        cudnnTensorDescriptor t = (cudnnTensorDescriptor) d[0], bn = (cudnnTensorDescriptor) d[1];
        dev.counted();
        check(
                cudnnBatchNormalizationForwardInference(
                        handle,
                        CUDNN_BATCHNORM_SPATIAL,
                        ONE,
                        ZERO,
                        t,
                        x,
                        t,
                        y,
                        bn,
                        gamma,
                        beta,
                        mean,
                        var,
                        eps(eps)),
                "cudnnBatchNormalizationForwardInference");
    }

    /**
     * Backward through the batch statistics; null outputs are computed into scratch and dropped.
     */
    public void batchNormBackward(
            CUdeviceptr x,
            CUdeviceptr dy,
            CUdeviceptr gamma,
            CUdeviceptr mean,
            CUdeviceptr var,
            float eps,
            CUdeviceptr dx,
            CUdeviceptr dGamma,
            CUdeviceptr dBeta,
            int n,
            int c,
            int h,
            int w) {
        Object[] d = tensorAndBn(n, c, h, w);
        cudnnTensorDescriptor t = (cudnnTensorDescriptor) d[0], bn = (cudnnTensorDescriptor) d[1];
        double e = eps(eps);
        long xBytes = 4L * n * c * h * w;
        CUdeviceptr inv = dev.alloc(4L * c);
        CUdeviceptr sx = dx == null ? dev.alloc(xBytes) : dx;
        CUdeviceptr sg = dGamma == null ? dev.alloc(4L * c) : dGamma;
        CUdeviceptr sb = dBeta == null ? dev.alloc(4L * c) : dBeta;
        try {
            dev.launch("invstd_from_var", c, var, inv, e, c);
            dev.counted();
            check(
                    cudnnBatchNormalizationBackward(
                            handle,
                            CUDNN_BATCHNORM_SPATIAL,
                            ONE,
                            ZERO,
                            ONE,
                            ZERO,
                            t,
                            x,
                            t,
                            dy,
                            t,
                            sx,
                            bn,
                            gamma,
                            sg,
                            sb,
                            e,
                            mean,
                            inv),
                    "cudnnBatchNormalizationBackward");
        } finally {
            dev.free(inv, 4L * c);
            if (dx == null) dev.free(sx, xBytes);
            if (dGamma == null) dev.free(sg, 4L * c);
            if (dBeta == null) dev.free(sb, 4L * c);
        }
    }

    // ---------------------------------------------------------------- average pooling (no padding)

    private cudnnPoolingDescriptor pool(int k, int stride) {
        return pools.computeIfAbsent(
                k + "," + stride,
                key -> {
                    cudnnPoolingDescriptor p = new cudnnPoolingDescriptor();
                    check(cudnnCreatePoolingDescriptor(p), "cudnnCreatePoolingDescriptor");
                    check(
                            cudnnSetPooling2dDescriptor(
                                    p,
                                    cudnnPoolingMode.CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING,
                                    cudnnNanPropagation.CUDNN_NOT_PROPAGATE_NAN,
                                    k,
                                    k,
                                    0,
                                    0,
                                    stride,
                                    stride),
                            "cudnnSetPooling2dDescriptor");
                    return p;
                });
    }

    public void avgPoolForward(
            CUdeviceptr x, CUdeviceptr y, int n, int c, int h, int w, int k, int stride) {
        int ho = Shape.convOut(h, k, stride, 0), wo = Shape.convOut(w, k, stride, 0);
        dev.counted();
        check(
                cudnnPoolingForward(
                        handle,
                        pool(k, stride),
                        ONE,
                        tensor(n, c, h, w),
                        x,
                        ZERO,
                        tensor(n, c, ho, wo),
                        y),
                "cudnnPoolingForward");
    }

    /**
     * Average pooling reads neither x nor y in its backward, but the API takes them: dy stands in
     * for y and dx (the output) for x.
     */
    public void avgPoolBackward(
            CUdeviceptr dy, CUdeviceptr dx, int n, int c, int h, int w, int k, int stride) {
        int ho = Shape.convOut(h, k, stride, 0), wo = Shape.convOut(w, k, stride, 0);
        cudnnTensorDescriptor xd = tensor(n, c, h, w), yd = tensor(n, c, ho, wo);
        dev.counted();
        check(
                cudnnPoolingBackward(
                        handle, pool(k, stride), ONE, yd, dy, yd, dy, xd, dx, ZERO, xd, dx),
                "cudnnPoolingBackward");
    }

    /** "9.19.0" from cudnnGetVersion's 91900 (cuDNN 9) or 8907 (cuDNN 8). */
    public String versionString() {
        long v = version;
        return v >= 90000
                ? v / 10000 + "." + v % 10000 / 100 + "." + v % 100
                : v / 1000 + "." + v % 1000 / 100 + "." + v % 100;
    }
}

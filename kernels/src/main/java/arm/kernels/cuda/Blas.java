package arm.kernels.cuda;

import static jcuda.jcublas.JCublas2.cublasCreate;
import static jcuda.jcublas.JCublas2.cublasGetVersion;
import static jcuda.jcublas.JCublas2.cublasSetMathMode;
import static jcuda.jcublas.JCublas2.cublasSetStream;
import static jcuda.jcublas.JCublas2.cublasSgemm;
import static jcuda.jcublas.cublasOperation.CUBLAS_OP_N;
import static jcuda.jcublas.cublasOperation.CUBLAS_OP_T;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasMath;

/**
 * cuBLAS through JCublas2 (natives adapted to libcublas.so.13 when that is what the machine has).
 * FP32 by default: TF32 tensor cores round inputs to 10 mantissa bits, which is a different
 * computation, so it is opt-in ({@code -Darm.cuda.tf32=true}) and recorded in results.
 */
public final class Blas {
    private static Blas instance;
    public final cublasHandle handle = new cublasHandle();
    public final int version;
    public final boolean tf32;

    public static synchronized Blas get() {
        if (instance == null) {
            CudaDevice dev = CudaDevice.get();
            int major = CudaLibs.cublasMajor();
            if (major == 0)
                throw new CudaUnavailable(
                        "cuBLAS not available: neither libcublas.so.13 nor libcublas.so.12 found");
            try {
                JCudaNatives.load("JCublas2", "jcuda.jcublas.JCublas2");
            } catch (UnsatisfiedLinkError e) {
                throw new CudaUnavailable(
                        "cuBLAS " + major + " not loadable: " + firstLine(e.getMessage()));
            }
            JCublas2.setExceptionsEnabled(true);
            dev.makeCurrent();
            instance = new Blas(dev, Boolean.getBoolean("arm.cuda.tf32"));
        }
        return instance;
    }

    private final CudaDevice dev;

    private Blas(CudaDevice dev, boolean tf32) {
        this.dev = dev;
        this.tf32 = tf32;
        cublasCreate(handle);
        if (dev.stream != null) cublasSetStream(handle, new jcuda.runtime.cudaStream_t(dev.stream));
        cublasSetMathMode(
                handle,
                tf32 ? cublasMath.CUBLAS_TF32_TENSOR_OP_MATH : cublasMath.CUBLAS_DEFAULT_MATH);
        int[] v = new int[1];
        cublasGetVersion(handle, v);
        version = v[0];
    }

    /**
     * Row-major C[M,N] = alpha·op(A)·op(B) + beta·C. cuBLAS is column-major, and a row-major matrix
     * is its transpose in column-major, so we ask for Cᵀ = op(B)ᵀ·op(A)ᵀ: swap the operands, keep
     * the transpose flags, and pass the row lengths as leading dimensions.
     */
    public void sgemm(
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            float alpha,
            CUdeviceptr a,
            int lda,
            CUdeviceptr b,
            int ldb,
            float beta,
            CUdeviceptr c,
            int ldc) {
        dev.counted();
        cublasSgemm(
                handle,
                transB ? CUBLAS_OP_T : CUBLAS_OP_N,
                transA ? CUBLAS_OP_T : CUBLAS_OP_N,
                n,
                m,
                k,
                Pointer.to(new float[] {alpha}),
                b,
                ldb,
                a,
                lda,
                Pointer.to(new float[] {beta}),
                c,
                ldc);
    }

    public static String firstLine(String s) {
        if (s == null) return "unknown error";
        // JCuda's LibUtils message nests stack traces; the loader's own words are on the first
        // lines
        for (String line : s.split("\n")) {
            String t = line.trim();
            if (t.contains(".so")
                    && (t.contains("cannot open")
                            || t.contains("version")
                            || t.contains("undefined"))) return t;
        }
        return s.split("\n")[0].trim();
    }
}

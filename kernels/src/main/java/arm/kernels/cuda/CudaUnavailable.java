package arm.kernels.cuda;

/** A one-line reason why the CUDA backend cannot run here (no driver, no cuBLAS, no cuDNN, ...). */
public final class CudaUnavailable extends IllegalStateException {
    public CudaUnavailable(String message) {
        super(message);
    }
}

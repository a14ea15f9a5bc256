package arm.kernels.cuda;

import arm.tensor.Backend;
import arm.tensor.BackendProvider;
import arm.tensor.Device;

/**
 * Finds the CUDA backend through ServiceLoader. Instantiating it touches no JCuda class; only
 * {@link #create()} does, and a machine without CUDA gets one IllegalStateException line such as
 * "CUDA not available: libcuda.so.1 not found (no NVIDIA driver)".
 */
public final class CudaBackendProvider implements BackendProvider {
    @Override
    public Device device() {
        return Device.CUDA;
    }

    @Override
    public Backend create() {
        try {
            return CudaBackend.create();
        } catch (CudaUnavailable e) {
            throw e;
        } catch (LinkageError | RuntimeException e) {
            String m =
                    e.getMessage() == null
                            ? e.getClass().getSimpleName()
                            : Blas.firstLine(e.getMessage());
            throw new CudaUnavailable("CUDA not available: " + m);
        }
    }
}

package arm.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;

import arm.tensor.Profile;
import jcuda.driver.CUevent;

/**
 * A {@link Profile.Clock} of CUDA events recorded on the device's stream: the time between two
 * marks is what the GPU spent between them, not how long the host took to queue the work.
 */
final class CudaEvents implements Profile.Clock {
    private final CudaDevice dev;

    CudaEvents(CudaDevice dev) {
        this.dev = dev;
    }

    @Override
    public Object mark() {
        dev.ensureCurrent();
        CUevent e = new CUevent();
        cuEventCreate(e, 0); // CU_EVENT_DEFAULT: timing enabled
        cuEventRecord(e, dev.stream);
        return e;
    }

    @Override
    public double millis(Object a, Object b) {
        float[] ms = new float[1];
        cuEventElapsedTime(ms, (CUevent) a, (CUevent) b);
        return ms[0];
    }
}

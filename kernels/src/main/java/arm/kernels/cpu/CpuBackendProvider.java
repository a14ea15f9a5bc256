package arm.kernels.cpu;

import arm.tensor.Backend;
import arm.tensor.BackendProvider;
import arm.tensor.Device;

public final class CpuBackendProvider implements BackendProvider {
    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public Backend create() {
        return new CpuBackend();
    }
}

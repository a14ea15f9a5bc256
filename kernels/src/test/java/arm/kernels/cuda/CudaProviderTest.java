package arm.kernels.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import arm.kernels.cpu.CpuBackend;
import arm.tensor.BackendProvider;
import arm.tensor.Backends;
import arm.tensor.Device;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/**
 * Without a GPU the CUDA backend must refuse in one line, and CPU code must not notice it exists.
 */
class CudaProviderTest {
    @Test
    void providerIsFoundAndCheap() {
        boolean found = false;
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class))
            found |= p.device() == Device.CUDA;
        assertThat(found).isTrue();
        assertThat(Backends.get(Device.CPU)).isInstanceOf(CpuBackend.class);
    }

    @Test
    void withoutDriverTheBackendRefusesInOneLine() {
        assumeTrue(CudaLibs.driver() == null, "this machine has a CUDA driver");
        Throwable t = catchThrowable(() -> Backends.get(Device.CUDA));
        assertThat(t).isInstanceOf(IllegalStateException.class).isNotInstanceOf(LinkageError.class);
        assertThat(t.getMessage())
                .isEqualTo("CUDA not available: libcuda.so.1 not found (no NVIDIA driver)");
        assertThat(t.getMessage()).doesNotContain("\n");
        // asking again gives the same clean answer (nothing half-initialised)
        assertThat(catchThrowable(() -> Backends.get(Device.CUDA))).hasMessage(t.getMessage());
    }
}

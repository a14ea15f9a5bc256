package arm.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import arm.kernels.cpu.CpuBackend;
import arm.kernels.cuda.*;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * CPU-vs-GPU parity of every primitive (forward and backward, odd shapes, random data); skipped
 * where there is no usable GPU. The cases live in {@link Parity} so DeviceCheckMain runs the same
 * ones.
 */
class CudaParityTest {
    @Test
    void everyPrimitiveMatchesTheCpu() {
        assumeTrue(CudaLibs.driver() != null, "no CUDA driver (libcuda.so.1)");
        CudaBackend gpu;
        try {
            gpu = CudaBackend.create();
        } catch (CudaUnavailable e) {
            assumeTrue(false, e.getMessage());
            return;
        }
        List<Parity.Result> r = new Parity(new CpuBackend(), gpu, 42).runAll();
        assertThat(r.stream().filter(x -> !x.ok()).map(Parity.Result::toString))
                .as(gpu.describe())
                .isEmpty();
    }
}

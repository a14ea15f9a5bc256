package arm.kernels.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import arm.kernels.cpu.CpuBackend;
import arm.tensor.Backend;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** CPU-vs-GPU parity of every primitive; skipped where there is no usable GPU. */
class CudaParityTest {
  @TestFactory
  Stream<DynamicTest> everyPrimitiveMatchesTheCpu() {
    assumeTrue(CudaLibs.driver() != null, "no CUDA driver (libcuda.so.1)");
    Backend gpu;
    try {
      gpu = CudaBackend.create();
    } catch (CudaUnavailable e) {
      assumeTrue(false, e.getMessage());
      return Stream.empty();
    }
    return new Parity(new CpuBackend(), gpu, 42).runAll().stream()
        .map(r -> DynamicTest.dynamicTest(r.name(), () -> assertThat(r.ok()).as(r.toString()).isTrue()));
  }
}

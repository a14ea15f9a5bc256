package arm.bench;

import static org.assertj.core.api.Assertions.assertThat;

import arm.kernels.cpu.CpuBackend;
import arm.kernels.cuda.*;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The parity cases themselves, run CPU against CPU: every case must build its shapes correctly and
 * compare equal, so a FAIL on the GPU machine is about the GPU, not about the harness.
 */
class ParityHarnessTest {
    @Test
    void everyCaseRunsAndMatchesOnTheCpu() {
        List<Parity.Result> r = new Parity(new CpuBackend(), new CpuBackend(), 42).runAll();
        assertThat(r).hasSizeGreaterThan(140);
        assertThat(r.stream().filter(x -> !x.ok()).map(Parity.Result::toString)).isEmpty();
    }
}

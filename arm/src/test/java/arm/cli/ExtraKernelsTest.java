package arm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import arm.kernels.cpu.CpuGemm;
import arm.kernels.cpu.LinearEval;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which JVMs turn on the held weight packs and the sparse evaluation (Runner.extraKernels). */
class ExtraKernelsTest {
    private final boolean hold = CpuGemm.holding(), sparse = LinearEval.sparse();

    @AfterEach
    void restore() {
        CpuGemm.holding(hold);
        LinearEval.sparse(sparse);
    }

    @Test
    void heldPacksAlwaysTheSparseEvaluationFromTwoRuns() {
        CpuGemm.holding(false);
        Runner.extraKernels(1);
        assertThat(CpuGemm.holding()).isTrue();
        assertThat(LinearEval.sparse()).isFalse();
        Runner.extraKernels(45);
        assertThat(CpuGemm.holding()).isTrue();
        assertThat(LinearEval.sparse()).isEqualTo(LinearEval.available());
    }

    @Test
    void aPropertySetByHandWins() {
        String was = System.getProperty("arm.gemm.hold");
        System.setProperty("arm.gemm.hold", "false");
        try {
            CpuGemm.holding(false);
            Runner.extraKernels(45);
            assertThat(CpuGemm.holding()).isFalse();
            assertThat(LinearEval.sparse()).isEqualTo(LinearEval.available());
        } finally {
            if (was == null) System.clearProperty("arm.gemm.hold");
            else System.setProperty("arm.gemm.hold", was);
        }
    }
}

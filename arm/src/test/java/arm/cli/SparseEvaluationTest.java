package arm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import arm.kernels.cpu.CpuGemm;
import arm.kernels.cpu.LinearEval;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which JVMs turn on the MLP evaluation's zero-skipping layer (Runner.sparseEvaluation), and that
 * the held weight packs are left at CpuGemm's default whatever the run count.
 */
class SparseEvaluationTest {
    private final boolean hold = CpuGemm.holding(), sparse = LinearEval.sparse();

    @AfterEach
    void restore() {
        CpuGemm.holding(hold);
        LinearEval.sparse(sparse);
    }

    @Test
    void fromTwoRunsOn() {
        Runner.sparseEvaluation(1);
        assertThat(LinearEval.sparse()).isFalse();
        Runner.sparseEvaluation(2);
        assertThat(LinearEval.sparse()).isEqualTo(LinearEval.available());
        Runner.sparseEvaluation(45);
        assertThat(LinearEval.sparse()).isEqualTo(LinearEval.available());
    }

    @Test
    void heldPacksAreCpuGemmsDefaultForOneRun() {
        assertThat(hold).as("CpuGemm's default without -Darm.gemm.hold").isTrue();
        for (boolean h : new boolean[] {false, true}) {
            CpuGemm.holding(h);
            Runner.sparseEvaluation(1);
            assertThat(CpuGemm.holding()).isEqualTo(h);
        }
    }

    @Test
    void aPropertySetByHandWins() {
        String was = System.getProperty("arm.evalSparse");
        System.setProperty("arm.evalSparse", "false");
        try {
            LinearEval.sparse(false);
            Runner.sparseEvaluation(45);
            assertThat(LinearEval.sparse()).isFalse();
        } finally {
            if (was == null) System.clearProperty("arm.evalSparse");
            else System.setProperty("arm.evalSparse", was);
        }
    }
}

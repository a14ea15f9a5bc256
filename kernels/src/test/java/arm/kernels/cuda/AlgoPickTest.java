package arm.kernels.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The one cuDNN algorithm rule for forward, backward-data and backward-filter convolution. */
class AlgoPickTest {
    // cuDNN's ranked list as Get*_v7 returns it: (algo, status, determinism, mathType)
    static final List<AlgoPick> RANKED =
            List.of(
                    new AlgoPick(7, 3, 1, 0), // did not run (status != 0)
                    new AlgoPick(5, 0, 1, 1), // tensor-op math (TF32)
                    new AlgoPick(0, 0, 0, 3), // fastest FP32, non-deterministic (atomics)
                    new AlgoPick(1, 0, 1, 3), // FP32, deterministic
                    new AlgoPick(3, 0, 1, 0));

    @Test
    void deterministicModeTakesTheFirstDeterministicAlgorithmInFp32() {
        assertThat(AlgoPick.choose(RANKED, false, true, "backward-filter")).isEqualTo(1);
    }

    @Test
    void fastModeTakesTheFirstThatRanInFp32() {
        assertThat(AlgoPick.choose(RANKED, false, false, "backward-filter")).isEqualTo(0);
    }

    @Test
    void tf32AllowsTensorOpMath() {
        assertThat(AlgoPick.choose(RANKED, true, true, "forward")).isEqualTo(5);
    }

    @Test
    void noDeterministicCandidateIsRefusedInOneLine() {
        List<AlgoPick> onlyAtomics = List.of(new AlgoPick(0, 0, 0, 3), new AlgoPick(2, 0, 0, 0));
        assertThatThrownBy(
                        () -> AlgoPick.choose(onlyAtomics, false, true, "backward-data 10,3,32,32"))
                .hasMessage(
                        "cuDNN offers no deterministic backward-data 10,3,32,32 algorithm in FP32"
                                + " math; run with -Darm.cuda.deterministic=false");
        assertThat(AlgoPick.choose(onlyAtomics, false, false, "backward-data")).isEqualTo(0);
    }

    @Test
    void deterministicIsTheDefault() {
        assertThat(System.getProperty("arm.cuda.deterministic")).isNull();
        assertThat(AlgoPick.deterministicByDefault()).isTrue();
    }
}

package arm.kernels.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The committed fatbins hold every listed architecture, and a card they miss is refused in one line
 * naming it.
 */
class FatbinTest {
    @Test
    void everyCommittedFatbinHoldsAmpereAdaHopperAndPtx() {
        for (String m : CudaDevice.MODULES) {
            Fatbin f = Fatbin.parse(CudaDevice.fatbin(m));
            assertThat(f.sass()).as(m).containsExactlyInAnyOrder(80, 86, 89, 90);
            assertThat(f.ptx()).as(m).containsExactly(80);
            assertThat(f.targets()).isEqualTo("sm_80, sm_86, sm_89, sm_90 + PTX compute_80");
        }
    }

    @Test
    void coverageFollowsTheDriversRules() {
        Fatbin f = new Fatbin(List.of(80, 86, 89, 90), List.of(80));
        assertThat(f.runsOn(8, 0)).isTrue();
        assertThat(f.runsOn(8, 7)).isTrue(); // Orin: sm_86 SASS
        assertThat(f.runsOn(12, 0)).isTrue(); // Blackwell: PTX JIT
        assertThat(f.runsOn(7, 5)).isFalse();
        Fatbin sassOnly = new Fatbin(List.of(90), List.of());
        assertThat(sassOnly.runsOn(9, 0)).isTrue();
        assertThat(sassOnly.runsOn(8, 6)).isFalse();
        assertThat(sassOnly.runsOn(10, 0)).isFalse(); // SASS does not cross majors
    }

    @Test
    void anUncoveredCardIsRefusedInOneLineNamingItsComputeCapability() {
        Fatbin f = Fatbin.parse(CudaDevice.fatbin("elementwise"));
        assertThat(f.refusal("elementwise", "NVIDIA H200", 9, 0)).isNull();
        String line = f.refusal("elementwise", "Tesla T4", 7, 5);
        assertThat(line)
                .doesNotContain("\n")
                .isEqualTo(
                        "CUDA not available: our CUDA kernels (elementwise.fatbin: sm_80, sm_86,"
                            + " sm_89, sm_90 + PTX compute_80) do not cover Tesla T4, compute"
                            + " capability 7.5; rebuild them with kernels/src/main/cuda/build.sh"
                            + " for sm_75");
    }

    @Test
    void notAFatbinIsRefused() {
        assertThatThrownBy(() -> Fatbin.parse(new byte[32])).hasMessage("not a fatbin (bad magic)");
    }
}

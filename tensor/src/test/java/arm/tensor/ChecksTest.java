package arm.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The shared argument checks of the backends: the shapes they accept and the calls they reject. */
class ChecksTest {
    static Tensor t(int... shape) {
        return Tensor.zeros(shape);
    }

    @Test
    void gemmReturnsMnkForEveryTransposeAndRejectsMismatches() {
        assertThat(Checks.gemm(false, false, t(3, 5), t(5, 7), t(3, 7)))
                .isEqualTo(new Checks.Gemm(3, 7, 5));
        assertThat(Checks.gemm(true, true, t(5, 3), t(7, 5), t(3, 7)))
                .isEqualTo(new Checks.Gemm(3, 7, 5));
        assertThatThrownBy(() -> Checks.gemm(false, false, t(3, 5), t(4, 7), t(3, 7)))
                .hasMessageContaining("gemm shapes");
        assertThatThrownBy(() -> Checks.gemm(false, false, t(3, 5), t(5, 7), t(3, 6)))
                .hasMessageContaining("gemm shapes");
        assertThatThrownBy(() -> Checks.gemm(false, false, t(3, 5, 1), t(5, 7), t(3, 7)))
                .hasMessageContaining("2-D");
    }

    @Test
    void convChecksChannelsAndOutputSize() {
        // 7x7 input, 3x3 kernel, stride 2, pad 1: Ho = (7 + 2 - 3) / 2 + 1 = 4
        Checks.Conv g = Checks.conv2d(t(2, 3, 7, 7), t(5, 3, 3, 3), 2, 1, t(2, 5, 4, 4));
        assertThat(g).isEqualTo(new Checks.Conv(2, 3, 7, 7, 5, 3, 3));
        assertThatThrownBy(() -> Checks.conv2d(t(2, 3, 7, 7), t(5, 3, 3, 3), 2, 1, t(2, 5, 3, 4)))
                .hasMessageContaining("conv shapes");
        assertThatThrownBy(() -> Checks.conv2d(t(2, 4, 7, 7), t(5, 3, 3, 3), 2, 1, t(2, 5, 4, 4)))
                .hasMessageContaining("conv shapes");
        assertThatThrownBy(() -> Checks.conv2d(t(2, 3, 2, 2), t(5, 3, 5, 5), 1, 1, t(2, 5, 1, 1)))
                .hasMessageContaining("conv shapes");
        assertThatThrownBy(() -> Checks.conv2d(t(2, 3, 7), t(5, 3, 3, 3), 1, 1, t(2, 5, 7, 7)))
                .hasMessageContaining("NCHW");
    }

    @Test
    void poolAndBatchNormShapes() {
        assertThat(Checks.avgPool2d(t(2, 3, 5, 5), 2, 2, t(2, 3, 2, 2)))
                .containsExactly(2, 3, 5, 5);
        assertThatThrownBy(() -> Checks.avgPool2d(t(2, 3, 5, 5), 2, 2, t(2, 3, 3, 3)))
                .hasMessageContaining("avg pool");
        Tensor c = t(3);
        assertThat(Checks.batchNorm(t(2, 3, 4, 4), new Tensor[] {c, c, null}, t(2, 3, 4, 4), null))
                .containsExactly(2, 3, 4, 4);
        assertThatThrownBy(
                        () -> Checks.batchNorm(t(2, 3, 4, 4), new Tensor[] {t(4)}, t(2, 3, 4, 4)))
                .hasMessageContaining("per-channel");
        assertThatThrownBy(() -> Checks.batchNorm(t(2, 3, 4, 4), new Tensor[] {c}, t(2, 3, 4, 3)))
                .hasMessageContaining("element count");
    }

    @Test
    void indicesPermutationsAndBlocks() {
        Checks.lastAxisIndex("gather", t(2, 3), new int[] {0, 2}, t(2));
        assertThatThrownBy(() -> Checks.lastAxisIndex("gather", t(2, 3), new int[] {0, 3}, t(2)))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("row 1");
        assertThatThrownBy(() -> Checks.lastAxisIndex("scatter", t(2, 3), new int[] {0}, t(2)))
                .hasMessageContaining("scatter");
        Checks.permute(t(2, 3, 4), new int[] {2, 0, 1}, t(4, 2, 3));
        assertThatThrownBy(() -> Checks.permute(t(2, 3, 4), new int[] {2, 0, 0}, t(4, 2, 3)))
                .hasMessageContaining("permutation");
        assertThatThrownBy(() -> Checks.permute(t(2, 3, 4), new int[] {1, 0}, t(4, 2, 3)))
                .hasMessageContaining("permutation");
        Checks.copyAlongAxis(t(2, 5), 1, 2, t(2, 4), 1, 3);
        assertThatThrownBy(() -> Checks.copyAlongAxis(t(2, 5), 1, 3, t(2, 4), 1, 3))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void broadcastingAndReductions() {
        Checks.binary(t(4, 3), Binary.ADD, t(3), t(4, 3));
        Checks.binary(t(1), Binary.ADD, t(1), t(4, 3)); // expand into a larger out
        assertThatThrownBy(() -> Checks.binary(t(4, 3), Binary.ADD, t(3), t(1, 3)))
                .hasMessageContaining("cannot write");
        assertThatThrownBy(() -> Checks.binary(t(4, 3), Binary.ADD, t(3), t(4, 2)))
                .hasMessageContaining("do not broadcast");
        Checks.sumTo(t(4, 3), t(3));
        assertThatThrownBy(() -> Checks.sumTo(t(4, 3), t(4, 1, 3)))
                .hasMessageContaining("not a reduction");
    }
}

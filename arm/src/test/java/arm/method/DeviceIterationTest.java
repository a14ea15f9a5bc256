package arm.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import arm.data.SyntheticData;
import arm.run.IterationParity;
import arm.tensor.Backends;
import arm.tensor.Device;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The device option, and whole-iteration parity CUDA vs CPU (skipped without a GPU). */
class DeviceIterationTest {

    static boolean cuda() {
        try {
            Backends.get(Device.CUDA);
            return true;
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    @Test
    void deviceOptionIsValidated() {
        assertThatThrownBy(() -> Methods.create("ARM", Map.of("device", "tpu")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("device")
                .hasMessageContaining("cpu, cuda");
        assertThat(Methods.create("Naive", Map.of()).options()).containsEntry("device", "cpu");
    }

    @Test
    void cudaWithoutAGpuIsOneLine() {
        assumeTrue(!cuda(), "a GPU is present");
        assertThatThrownBy(() -> Methods.create("ARM", Map.of("device", "cuda")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("ARM option device=cuda: ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void harnessSeesNoDifferenceCpuAgainstCpu() {
        double err =
                IterationParity.relativeError(
                        "mnist",
                        SyntheticData.mnistShaped(3),
                        Map.of("recall_from_t", "0", "mlp_hidden", "32"),
                        "cpu");
        assertThat(err).isZero();
        var d =
                IterationParity.deltas(
                        "mnist",
                        SyntheticData.mnistShaped(3),
                        Map.of("recall_from_t", "0", "mlp_hidden", "32"),
                        "cpu");
        assertThat(
                        d.values().stream()
                                .anyMatch(
                                        a ->
                                                java.util.Arrays.stream(toDouble(a))
                                                        .anyMatch(v -> v != 0)))
                .isTrue();
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    @Test
    void oneArmIterationOnCudaMatchesTheCpu() {
        assumeTrue(cuda(), "no CUDA device");
        for (var e : IterationParity.run("cuda").entrySet())
            assertThat(e.getValue().error())
                    .as(e.getKey())
                    .isLessThanOrEqualTo(e.getValue().tolerance());
    }
}

package arm.method;

import static org.assertj.core.api.Assertions.assertThat;

import arm.autograd.FakeDevice;
import arm.autograd.Var;
import arm.tensor.Backend;
import arm.tensor.Backends;
import arm.tensor.CapturedStep;
import arm.tensor.Device;
import arm.tensor.Scope;
import arm.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A counted batch's row weights on a device are built there from cached indices: the same values as
 * the host weights, and no upload, so a refinement step that uses them can be captured as a graph
 * (the fake device fails a capture that uploads or waits, as a GPU does).
 */
class CountedOnDeviceTest {
    @Test
    void deviceIntegersAreExactlyTheValues() {
        int[] v = {0, 3, 1, 0, 7, 2};
        try (FakeDevice fake = FakeDevice.install();
                Scope s = Scope.open()) {
            Backend be = Backends.get(Device.CUDA);
            assertThat(be.download(RecallLoss.deviceIntegers(be, v)))
                    .containsExactly(0, 3, 1, 0, 7, 2);
            assertThat(be.download(RecallLoss.deviceIntegers(be, new int[3])))
                    .containsExactly(0, 0, 0);
        }
    }

    @Test
    void countedRowsOnTheDeviceEqualTheCpuAndCaptureWithoutAnUpload() {
        int[] counts = {3, 1, 2}; // 6 rows: 2 per count (e.g. an image's channels)
        float[] v = new float[6 * 5];
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
        float[] cpu = RecallLoss.counted(Var.param(Tensor.of(v, 6, 5)), counts).value.toArray();
        try (FakeDevice fake = FakeDevice.install();
                Scope s = Scope.open();
                CapturedStep cs = new CapturedStep(Backends.get(Device.CUDA))) {
            Backend be = Backends.get(Device.CUDA);
            Tensor x = be.upload(v, 6, 5), out = be.zeros(6, 5);
            for (int i = 0; i < 3; i++) // eager, captured, replayed
            cs.run("counted", () -> be.copy(RecallLoss.counted(Var.param(x), counts).value, out));
            assertThat(cs.fallback()).isNull();
            assertThat(cs.captures()).isEqualTo(1);
            assertThat(cs.replays()).isEqualTo(1);
            assertThat(be.download(out)).containsExactly(cpu);
        }
    }
}

package arm.method;

import static org.assertj.core.api.Assertions.assertThat;

import arm.autograd.Autograd;
import arm.autograd.F;
import arm.autograd.FakeDevice;
import arm.autograd.Var;
import arm.tensor.Backend;
import arm.tensor.Backends;
import arm.tensor.Device;
import arm.tensor.Scope;
import arm.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The sharpen term R_sharp on a device keeps its argmax there (device-index gather and scatter); on
 * the fake device its value and input gradient equal the CPU's host-index path bit for bit, counted
 * batches included. The not-local class mask is built on the device, equal to the host mask.
 */
class SharpenOnDeviceTest {
    static float[][] sharpen(Device d, int[] counts) {
        Backend be = Backends.get(d);
        SplittableRandom rnd = new SplittableRandom(7);
        float[] v = new float[6 * 5];
        for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
        v[3] = v[4] = 5f; // a tie in row 0: the first index wins on both paths
        Var a = Var.param(be.upload(v, 6, 5));
        Var r = RecallLoss.sharpen(a, F.logSoftmax(a), counts);
        Tensor g = Autograd.grad(r, a)[0];
        return new float[][] {be.download(r.value), be.download(g)};
    }

    @Test
    void deviceArgmaxGivesTheCpuValueAndGradient() {
        for (int[] counts : new int[][] {null, {1, 3, 2, 1, 4, 1}}) {
            float[][] cpu = sharpen(Device.CPU, counts), dev;
            try (FakeDevice fake = FakeDevice.install();
                    Scope s = Scope.open()) {
                dev = sharpen(Device.CUDA, counts);
            }
            assertThat(dev[0]).containsExactly(cpu[0]);
            assertThat(dev[1]).containsExactly(cpu[1]);
        }
    }

    @Test
    void theNotLocalMaskBuiltOnTheDeviceEqualsTheHostMask() {
        float[] mask = {0, 1, 0, 0, 1, 1, 0, 0, 0, 1};
        try (FakeDevice fake = FakeDevice.install();
                Scope s = Scope.open()) {
            Backend be = Backends.get(Device.CUDA);
            assertThat(be.download(RecallLoss.deviceMask(be, mask))).containsExactly(mask);
            assertThat(be.download(RecallLoss.deviceMask(be, new float[4])))
                    .containsExactly(0, 0, 0, 0);
        }
    }
}

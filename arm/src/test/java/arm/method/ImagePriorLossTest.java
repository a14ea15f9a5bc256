package arm.method;

import static arm.autograd.GradCheck.rand;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import arm.autograd.Autograd;
import arm.autograd.F;
import arm.autograd.FakeDevice;
import arm.autograd.Var;
import arm.run.LossLog;
import arm.tensor.Backend;
import arm.tensor.Backends;
import arm.tensor.Device;
import arm.tensor.Scope;
import arm.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The fused image prior ({@link F#imagePrior}) against the composed terms of {@link RecallLoss}
 * (R_L2, R_TV): the same value and gradient within float rounding, with and without counts; on a
 * device {@code RecallLoss.images} runs the fused op and still logs R_L2 and R_TV apart, while the
 * CPU keeps the composed terms.
 */
class ImagePriorLossTest {
    static final int U = 3, C = 2, H = 5, W = 4;
    static final float L5 = 0.7f, L6 = 1.3f;

    static Var composed(Var x, int[] counts) {
        return F.add(
                F.scale(RecallLoss.l2(x, counts), L5),
                F.scale(RecallLoss.totalVariation(x, C, H, W, counts), L6));
    }

    static void assertClose(float[] got, float[] want, double rel) {
        double max = 0;
        for (float v : want) max = Math.max(max, Math.abs(v));
        assertThat(got).hasSameSizeAs(want);
        for (int i = 0; i < want.length; i++)
            assertThat((double) got[i]).as("at " + i).isCloseTo(want[i], within(rel * max));
    }

    @Test
    void fusedEqualsComposedOnTheCpu() {
        for (int[] counts : new int[][] {null, {2, 1, 4}}) {
            Tensor x = rand(31, -1, 1, U, C, H, W);
            Var a = Var.param(x), b = Var.param(x);
            Var fused = F.imagePrior(a, L5, L6, C, H, W, counts), comp = composed(b, counts);
            assertClose(fused.value.toArray(), comp.value.toArray(), 1e-6);
            assertClose(
                    Autograd.grad(fused, a)[0].toArray(),
                    Autograd.grad(comp, b)[0].toArray(),
                    1e-5);
        }
    }

    @Test
    void imagesOnTheCpuStayComposedAndOnADeviceFused() {
        int[] counts = {2, 1, 4};
        Tensor x = rand(32, -1, 1, U, C, H, W);
        Var xc = Var.param(x);
        LossLog cpuLog = new LossLog();
        cpuLog.start();
        Var cpu = RecallLoss.images(L5, L6, new int[] {C, H, W}, xc, counts);
        cpuLog.stop();
        // the CPU: exactly the composed terms, bit for bit
        assertThat(cpu.value.toArray())
                .containsExactly(composed(Var.param(x), counts).value.toArray());
        float[] cpuGrad = Autograd.grad(cpu, xc)[0].toArray();
        try (FakeDevice fake = FakeDevice.install();
                Scope s = Scope.open()) {
            Backend be = Backends.get(Device.CUDA);
            Var xd = Var.param(be.upload(x.toArray(), x.shape));
            LossLog devLog = new LossLog();
            devLog.start();
            Var dev = RecallLoss.images(L5, L6, new int[] {C, H, W}, xd, counts);
            devLog.stop();
            assertThat(dev.value.device()).isEqualTo(Device.CUDA);
            assertClose(be.download(dev.value), cpu.value.toArray(), 1e-6);
            assertClose(be.download(Autograd.grad(dev, xd)[0]), cpuGrad, 1e-5);
            double[] c = cpuLog.values(), d = devLog.values();
            for (int col : new int[] {LossLog.R_L2, LossLog.R_TV}) {
                assertThat(c[col]).isFinite();
                assertThat(d[col]).isCloseTo(c[col], within(1e-6 * Math.abs(c[col])));
            }
        }
    }

    @Test
    void aWeightOfZeroLeavesItsTermUnlogged() {
        try (FakeDevice fake = FakeDevice.install();
                Scope s = Scope.open()) {
            Backend be = Backends.get(Device.CUDA);
            Tensor x = rand(33, -1, 1, U, C, H, W);
            Var xd = Var.param(be.upload(x.toArray(), x.shape));
            LossLog log = new LossLog();
            log.start();
            Var v = RecallLoss.images(0f, L6, new int[] {C, H, W}, xd, null);
            log.stop();
            assertThat((double) be.download(v.value)[0])
                    .isCloseTo(
                            L6 * RecallLoss.totalVariation(Var.param(x), C, H, W).value.item(),
                            within(1e-6));
            assertThat(log.values()[LossLog.R_L2]).isNaN();
            assertThat(log.values()[LossLog.R_TV]).isFinite();
            assertThat(RecallLoss.images(0f, 0f, new int[] {C, H, W}, xd, null)).isNull();
        }
    }
}

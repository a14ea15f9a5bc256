package arm.method;

import static arm.autograd.GradCheck.rand;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import arm.autograd.Autograd;
import arm.autograd.CountingBackend;
import arm.autograd.F;
import arm.autograd.FakeDevice;
import arm.autograd.Var;
import arm.run.LossLog;
import arm.tensor.Backend;
import arm.tensor.Backends;
import arm.tensor.Device;
import arm.tensor.LogitWeights;
import arm.tensor.Scope;
import arm.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The fused logit terms ({@link F#logitTerms}) against the composed terms of {@link RecallLoss}
 * (R_D in each form, R_NL on a and b, R_div, R_sharp): the same value and gradients within float
 * rounding, with and without counts; on a device {@code RecallLoss.arm} runs the fused op and still
 * logs every term apart, while the CPU keeps the composed terms bit for bit; and the backend calls
 * the logit part costs on the device, composed against fused.
 */
class LogitTermsLossTest {
    static final int U = 4, K = 5;
    static final int[] PRESENT = {1, 3};
    static final int[] COUNTS = {2, 1, 4, 3};
    static final int[] COLUMNS = {
        LossLog.R_D, LossLog.R_NL_OLD, LossLog.R_NL_NEW, LossLog.R_DIV, LossLog.R_SHARP
    };

    static RecallLoss.Weights weights(RecallLoss.Divergence kind, float l2, float l5) {
        return new RecallLoss.Weights(
                kind, 0.9f, 0.6f, l2, 1.3f, 0.7f, l5, 0f, new int[] {1, 1, 3});
    }

    static Var fused(RecallLoss.Weights w, Var a, Var b, int[] counts) {
        return F.logitTerms(
                a,
                b,
                PRESENT,
                counts,
                new LogitWeights(
                        w.divergence().ordinal(),
                        w.wD(),
                        w.lambda1(),
                        w.lambda2(),
                        w.lambda3(),
                        w.lambda4()));
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
        for (RecallLoss.Divergence kind : RecallLoss.Divergence.values())
            for (int[] counts : new int[][] {null, COUNTS}) {
                RecallLoss.Weights w = weights(kind, 0.4f, 0f);
                Tensor at = rand(81, -2, 2, U, K), bt = rand(82, -2, 2, U, K);
                Var a1 = Var.param(at), b1 = Var.param(bt), a2 = Var.param(at), b2 = Var.param(bt);
                Var f = fused(w, a1, b1, counts);
                Var c = RecallLoss.composedLogits(w, a2, b2, PRESENT, counts);
                String as = kind + (counts == null ? "" : " counted");
                assertClose(f.value.toArray(), c.value.toArray(), 1e-6);
                Tensor[] gf = Autograd.grad(f, a1, b1), gc = Autograd.grad(c, a2, b2);
                for (int i = 0; i < 2; i++) {
                    assertThat(gf[i].toArray()).as(as).isNotEqualTo(new float[U * K]);
                    assertClose(gf[i].toArray(), gc[i].toArray(), 1e-5);
                }
            }
    }

    @Test
    void armOnTheCpuStaysComposedAndOnADeviceFused() {
        RecallLoss.Weights w = weights(RecallLoss.Divergence.REVERSED_KL, 0.4f, 0.5f);
        Tensor at = rand(83, -2, 2, U, K), bt = rand(84, -2, 2, U, K);
        Tensor xt = rand(85, -1, 1, U, 3);
        Var a = Var.param(at), b = Var.param(bt), x = Var.param(xt);
        LossLog cpuLog = new LossLog();
        cpuLog.start();
        Var cpu = RecallLoss.arm(w, a, b, x, PRESENT, COUNTS);
        cpuLog.stop();
        // the CPU: exactly the composed terms, bit for bit
        Var want =
                F.add(
                        RecallLoss.composedLogits(w, Var.param(at), Var.param(bt), PRESENT, COUNTS),
                        RecallLoss.images(0.5f, 0f, w.imageShape(), Var.param(xt), COUNTS));
        assertThat(cpu.value.toArray()).containsExactly(want.value.toArray());
        Tensor[] cpuGrad = Autograd.grad(cpu, a, b, x);
        try (FakeDevice fake = FakeDevice.install();
                Scope s = Scope.open()) {
            Backend be = Backends.get(Device.CUDA);
            Var ad = Var.param(be.upload(at.toArray(), at.shape));
            Var bd = Var.param(be.upload(bt.toArray(), bt.shape));
            Var xd = Var.param(be.upload(xt.toArray(), xt.shape));
            LossLog devLog = new LossLog();
            devLog.start();
            Var dev = RecallLoss.arm(w, ad, bd, xd, PRESENT, COUNTS);
            devLog.stop();
            assertThat(dev.value.device()).isEqualTo(Device.CUDA);
            assertClose(be.download(dev.value), cpu.value.toArray(), 1e-6);
            Tensor[] devGrad = Autograd.grad(dev, ad, bd, xd);
            for (int i = 0; i < 3; i++)
                assertClose(be.download(devGrad[i]), cpuGrad[i].toArray(), 1e-5);
            double[] c = cpuLog.values(), d = devLog.values();
            for (int col : COLUMNS) {
                assertThat(c[col]).isFinite();
                assertThat(d[col]).isCloseTo(c[col], within(1e-6 * (1 + Math.abs(c[col]))));
            }
        }
    }

    @Test
    void aWeightOfZeroLeavesItsTermUnlogged() {
        RecallLoss.Weights w = weights(RecallLoss.Divergence.JENSEN_SHANNON, 0f, 0f);
        try (FakeDevice fake = FakeDevice.install();
                Scope s = Scope.open()) {
            Backend be = Backends.get(Device.CUDA);
            Tensor at = rand(86, -2, 2, U, K), bt = rand(87, -2, 2, U, K);
            Var ad = Var.param(be.upload(at.toArray(), at.shape));
            Var bd = Var.param(be.upload(bt.toArray(), bt.shape));
            LossLog log = new LossLog();
            log.start();
            Var v = RecallLoss.logits(w, ad, bd, PRESENT, null);
            log.stop();
            assertThat((double) be.download(v.value)[0])
                    .isCloseTo(
                            RecallLoss.composedLogits(
                                            w, Var.param(at), Var.param(bt), PRESENT, null)
                                    .value
                                    .item(),
                            within(1e-5));
            assertThat(log.values()[LossLog.R_NL_NEW]).isNaN();
            assertThat(log.values()[LossLog.R_D]).isFinite();
            RecallLoss.Weights none =
                    new RecallLoss.Weights(
                            w.divergence(), 0f, 0f, 0f, 0f, 0f, 0f, 0f, w.imageShape());
            assertThat(RecallLoss.logits(none, ad, bd, PRESENT, null)).isNull();
        }
    }

    /** Backend calls of the logit part, forward and backward, on the (fake) device. */
    static int calls(boolean fusedOp, int[] counts) {
        RecallLoss.Weights w = weights(RecallLoss.Divergence.REVERSED_KL, 0.4f, 0f);
        try (FakeDevice fake = FakeDevice.install();
                Scope s = Scope.open()) {
            Backend be = Backends.get(Device.CUDA);
            Var a = Var.param(be.upload(rand(88, -2, 2, U, K).toArray(), U, K));
            Var b = Var.param(be.upload(rand(89, -2, 2, U, K).toArray(), U, K));
            try (CountingBackend cb = CountingBackend.installOver(be)) {
                Var y =
                        fusedOp
                                ? RecallLoss.logits(w, a, b, PRESENT, counts)
                                : RecallLoss.composedLogits(w, a, b, PRESENT, counts);
                Autograd.grad(y, a, b);
                return cb.calls.size();
            }
        }
    }

    @Test
    void onTheDeviceTheLogitTermsCostTwoCallsInsteadOfDozens() {
        int composed = calls(false, null), composedCounted = calls(false, COUNTS);
        System.out.println(
                "logit terms, backend calls forward + backward: composed "
                        + composed
                        + " ("
                        + composedCounted
                        + " counted), fused "
                        + calls(true, null));
        assertThat(calls(true, null)).isEqualTo(2);
        assertThat(calls(true, COUNTS)).isEqualTo(2);
        assertThat(composed).isGreaterThan(50);
        assertThat(composedCounted).isGreaterThan(composed);
    }

    /**
     * Backend calls of a whole recall loss R on the (fake) device, counted rows of CIFAR10's shape
     * (10 distinct images of 3×32×32, K = 10, every weight set): {forward, forward + backward}.
     */
    static int[] recallCalls(boolean fusedOps) {
        RecallLoss.Weights w =
                new RecallLoss.Weights(
                        RecallLoss.Divergence.REVERSED_KL,
                        1f,
                        0.6f,
                        0.4f,
                        1.3f,
                        0.7f,
                        0.5f,
                        0.3f,
                        new int[] {3, 32, 32});
        int u = 10, k = 10;
        int[] counts = {19, 1, 12, 8, 3, 20, 7, 9, 11, 10};
        try (FakeDevice fake = FakeDevice.install();
                Scope s = Scope.open()) {
            Backend be = Backends.get(Device.CUDA);
            Var a = Var.param(be.upload(rand(90, -2, 2, u, k).toArray(), u, k));
            Var b = Var.param(be.upload(rand(91, -2, 2, u, k).toArray(), u, k));
            Var x = Var.param(be.upload(rand(92, -1, 1, u, 3 * 32 * 32).toArray(), u, 3 * 32 * 32));
            try (CountingBackend cb = CountingBackend.installOver(be)) {
                Var y =
                        fusedOps
                                ? RecallLoss.arm(w, a, b, x, PRESENT, counts)
                                : F.add(
                                        RecallLoss.composedLogits(w, a, b, PRESENT, counts),
                                        F.add(
                                                F.scale(RecallLoss.l2(x, counts), 0.5f),
                                                F.scale(
                                                        RecallLoss.totalVariation(
                                                                x, 3, 32, 32, counts),
                                                        0.3f)));
                int forward = cb.calls.size();
                Autograd.grad(y, x, a, b);
                return new int[] {forward, cb.calls.size()};
            }
        }
    }

    @Test
    void aRecallLossOnTheDeviceCostsAHandfulOfCalls() {
        int[] composed = recallCalls(false), fused = recallCalls(true);
        System.out.println(
                "recall loss R (CIFAR10 shape, counted), backend calls forward / forward +"
                        + " backward: composed "
                        + composed[0]
                        + " / "
                        + composed[1]
                        + ", fused "
                        + fused[0]
                        + " / "
                        + fused[1]);
        assertThat(fused[1]).isLessThanOrEqualTo(8);
        assertThat(composed[1]).isGreaterThan(150);
    }

    /**
     * ADI's R on a device (classes CE + wD·R_D + λ4·R_sharp + λ5·R_L2 + λ6·R_TV, CIFAR10's shape, M
     * = 10 chosen classes): its logit terms through the fused op: {calls forward, forward +
     * backward, R, ∂R/∂a...}.
     */
    static float[] adiOnTheDevice(boolean fused) {
        RecallLoss.Weights w =
                new RecallLoss.Weights(
                        RecallLoss.Divergence.REVERSED_KL,
                        1f,
                        0f,
                        0f,
                        0f,
                        0.7f,
                        0.5f,
                        0.3f,
                        new int[] {3, 32, 32});
        int m = 10, k = 10;
        int[] chosen = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3};
        try (FakeDevice fake = FakeDevice.install();
                Scope s = Scope.open()) {
            Backend be = Backends.get(Device.CUDA);
            Var a = Var.param(be.upload(rand(93, -2, 2, m, k).toArray(), m, k));
            Var b = Var.param(be.upload(rand(94, -2, 2, m, k).toArray(), m, k));
            Var x = Var.param(be.upload(rand(95, -1, 1, m, 3 * 32 * 32).toArray(), m, 3 * 32 * 32));
            try (CountingBackend cb = CountingBackend.installOver(be)) {
                Var y = RecallLoss.adi(w, 0.8f, a, b, x, chosen, null, fused);
                int forward = cb.calls.size();
                Tensor[] g = Autograd.grad(y, a, b, x);
                int all = cb.calls.size();
                float[] ga = g[0].toArray(), gb = g[1].toArray();
                float[] out = new float[3 + ga.length + gb.length];
                out[0] = forward;
                out[1] = all;
                out[2] = y.value.toArray()[0];
                System.arraycopy(ga, 0, out, 3, ga.length);
                System.arraycopy(gb, 0, out, 3 + ga.length, gb.length);
                return out;
            }
        }
    }

    /**
     * On a device ADI's logit terms run fused (the default there): fewer backend calls, the same R
     * and gradients within float rounding; the CPU keeps the composed terms bit for bit.
     */
    @Test
    void adiOnTheDeviceRunsItsLogitTermsFused() {
        float[] composed = adiOnTheDevice(false), fused = adiOnTheDevice(true);
        System.out.printf(
                "ADI's R (CIFAR10 shape), backend calls forward / forward + backward: composed %d /"
                        + " %d, fused %d / %d%n",
                (int) composed[0], (int) composed[1], (int) fused[0], (int) fused[1]);
        assertThat(fused[1]).isLessThan(composed[1]);
        assertThat(fused[0]).isLessThan(composed[0]);
        assertThat(fused[2]).isCloseTo(composed[2], within(1e-5f * Math.abs(composed[2])));
        assertClose(
                java.util.Arrays.copyOfRange(fused, 3, fused.length),
                java.util.Arrays.copyOfRange(composed, 3, composed.length),
                1e-5);
        // the CPU: RecallLoss.adi is the composed sum, bit for bit
        RecallLoss.Weights w = weights(RecallLoss.Divergence.JENSEN_SHANNON, 0f, 0f);
        Tensor at = rand(96, -2, 2, U, K), bt = rand(97, -2, 2, U, K), xt = rand(98, 0, 1, U, 3);
        int[] chosen = {0, 2, 2, 4};
        Var cpu =
                RecallLoss.adi(w, 0.8f, Var.param(at), Var.param(bt), Var.param(xt), chosen, null);
        Var ref =
                RecallLoss.adi(
                        w, 0.8f, Var.param(at), Var.param(bt), Var.param(xt), chosen, null, false);
        assertThat(cpu.value.toArray()).containsExactly(ref.value.toArray());
    }
}

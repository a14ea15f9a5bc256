package arm.autograd;

import static arm.autograd.GradCheck.rand;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import arm.autograd.ops.ImagePrior;
import arm.tensor.Backend;
import arm.tensor.Backends;
import arm.tensor.CapturedStep;
import arm.tensor.Device;
import arm.tensor.Scope;
import arm.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The fused image prior λ5·R_L2 + λ6·R_TV: its closed-form backward against central differences of
 * an independent float64 forward, with and without counts and with either weight 0, on odd shapes;
 * the fake device gives the CPU's values and uploads the counts once (a captured step replays it).
 */
class ImagePriorTest {
    static final int U = 3, C = 2, H = 5, W = 4;

    /** λ5·R_L2 + λ6·R_TV in double, straight from the definition. */
    static double prior64(double[] x, double l5, double l6, int c, int h, int w, int[] counts) {
        int u = x.length / (c * h * w), d = c * h * w, m = 0;
        double l2 = 0, th = 0, tw = 0;
        for (int r = 0; r < u; r++) {
            double wt = counts == null ? 1 : counts[r], sq = 0;
            m += (int) wt;
            for (int j = 0; j < d; j++) sq += x[r * d + j] * x[r * d + j];
            l2 += wt * Math.sqrt(Math.max(sq, Float.MIN_NORMAL));
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < h; i++)
                    for (int k = 0; k < w; k++) {
                        int at = r * d + (ch * h + i) * w + k;
                        if (i + 1 < h) th += wt * Math.pow(x[at + w] - x[at], 2);
                        if (k + 1 < w) tw += wt * Math.pow(x[at + 1] - x[at], 2);
                    }
        }
        double rl2 = l2 / ((double) m * d);
        double rtv = 2.0 / m * (th / (c * (h - 1.0) * w) + tw / (c * h * (w - 1.0)));
        return (l5 == 0 ? 0 : l5 * rl2) + (l6 == 0 ? 0 : l6 * rtv);
    }

    void check(String name, float l5, float l6, int[] counts, Tensor x) {
        check(name, l5, l6, C, H, W, counts, x);
    }

    void check(String name, float l5, float l6, int c, int h, int w, int[] counts, Tensor x) {
        GradCheck.check(
                name,
                v -> F.imagePrior(v[0], l5, l6, c, h, w, counts),
                a -> new double[] {prior64(a[0], l5, l6, c, h, w, counts)},
                x);
    }

    @Test
    void gradientWithoutCounts() {
        check("image prior", 0.7f, 1.3f, null, rand(11, -1, 1, U, C * H * W));
    }

    @Test
    void gradientWithCounts() {
        check("image prior counted", 0.7f, 1.3f, new int[] {2, 1, 4}, rand(12, -1, 1, U, C, H, W));
    }

    @Test
    void gradientOfEachTermAlone() {
        int[] counts = {1, 3, 2};
        check("R_L2 alone", 2.5f, 0f, counts, rand(13, -1, 1, U, C, H, W));
        check("R_TV alone", 0f, 0.4f, counts, rand(14, -1, 1, U, C, H, W));
        check("one channel", 1f, 1f, 1, 3, 7, null, rand(15, -2, 2, 2, 1, 3, 7));
    }

    @Test
    void aZeroImageHasNoL2GradientAndNoNaN() {
        float[] d = rand(16, -1, 1, U, C * H * W).toArray();
        for (int j = 0; j < C * H * W; j++) d[j] = 0f; // image 0 all zeros
        Var x = Var.param(Tensor.of(d, U, C * H * W));
        Tensor g = Autograd.grad(F.imagePrior(x, 1f, 0f, C, H, W, null), x)[0];
        float[] gd = g.toArray();
        for (int j = 0; j < gd.length; j++) {
            assertThat(gd[j]).isFinite();
            if (j < C * H * W) assertThat(gd[j]).isZero();
        }
    }

    @Test
    void theTermsAloneAreReturnedBeside() {
        Tensor x = rand(17, -1, 1, U, C, H, W);
        double[] x64 = GradCheck.toDouble(x.toArray());
        ImagePrior.Terms t =
                ImagePrior.terms(Var.param(x), 0.7f, 1.3f, C, H, W, new int[] {1, 2, 3});
        int[] n = {1, 2, 3};
        assertThat((double) t.l2().value.item())
                .isCloseTo(
                        prior64(x64, 1, 0, C, H, W, n), org.assertj.core.data.Offset.offset(1e-6));
        assertThat((double) t.tv().value.item())
                .isCloseTo(
                        prior64(x64, 0, 1, C, H, W, n), org.assertj.core.data.Offset.offset(1e-5));
        assertThat(t.l2().tracked()).isFalse();
    }

    @Test
    void badShapesAreOneLine() {
        Var x = Var.param(rand(18, -1, 1, U, 7));
        assertThatThrownBy(() -> F.imagePrior(x, 1f, 1f, C, H, W, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("image prior");
        Var y = Var.param(rand(18, -1, 1, U, C * H * W));
        assertThatThrownBy(() -> F.imagePrior(y, 1f, 1f, C, H, W, new int[] {1, 2}))
                .hasMessageContaining("2 counts for 3 images");
    }

    @Test
    void fakeDeviceEqualsTheCpuAndCapturesWithoutAnUpload() {
        int[] counts = {2, 1, 4};
        Tensor x = rand(19, -1, 1, U, C, H, W);
        Var xc = Var.param(x);
        Var yc = F.imagePrior(xc, 0.7f, 1.3f, C, H, W, counts);
        float[] want = Autograd.grad(yc, xc)[0].toArray();
        try (FakeDevice fake = FakeDevice.install();
                Scope s = Scope.open();
                CapturedStep cs = new CapturedStep(Backends.get(Device.CUDA))) {
            Backend be = Backends.get(Device.CUDA);
            Tensor xd = be.upload(x.toArray(), x.shape), y = be.zeros(1), g = be.zeros(x.shape);
            for (int i = 0; i < 3; i++) // eager, captured, replayed
            cs.run(
                        "prior",
                        () -> {
                            Var v = Var.param(xd);
                            Var loss = F.imagePrior(v, 0.7f, 1.3f, C, H, W, counts);
                            be.copy(loss.value, y);
                            be.copy(Autograd.grad(loss, v)[0], g);
                        });
            assertThat(cs.fallback()).isNull();
            assertThat(cs.replays()).isEqualTo(1);
            assertThat(be.download(y)).containsExactly(yc.value.item());
            assertThat(be.download(g)).containsExactly(want);
        }
    }
}

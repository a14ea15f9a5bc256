package arm.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import arm.autograd.Autograd;
import arm.autograd.Var;
import arm.tensor.Tensor;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The gated-conv VAE: parameter counts against numbers derived independently (PyTorch's module of
 * the MIR code, built with python3-torch, gives the same), shapes, the variance clamp, the loss.
 */
class ConvVaeTest {

    static Tensor images(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[shape[0] * shape[1] * shape[2] * shape[3]];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextDouble();
        return Tensor.of(a, shape);
    }

    @Test
    void parameterCounts() {
        // CIFAR10: 3,333,315 + 8,706·z (encoder 2,666,176 + decoder 667,139; heads 514·z, first
        // transposed conv 128·8²·z); MiniImageNet variant: K = 16 gives 9,624,771 + 33,282·z
        for (int z : new int[] {50, 100}) {
            assertThat(
                            new ConvVae(3, ConvVae.Layout.CIFAR10, z, new SplittableRandom(1))
                                    .parameterCount())
                    .isEqualTo(3_333_315L + 8_706L * z);
            assertThat(
                            new ConvVae(3, ConvVae.Layout.MINIIMAGENET, z, new SplittableRandom(1))
                                    .parameterCount())
                    .isEqualTo(9_624_771L + 33_282L * z);
        }
        assertThat(
                        new ConvVae(3, ConvVae.Layout.CIFAR10, 50, new SplittableRandom(1))
                                .parameterCount())
                .isEqualTo(3_768_615L);
        assertThat(
                        new ConvVae(3, ConvVae.Layout.MINIIMAGENET, 100, new SplittableRandom(1))
                                .parameterCount())
                .isEqualTo(12_952_971L);
    }

    @Test
    void passShapesClampAndGenerate() {
        for (int size : new int[] {32, 84}) {
            ConvVae v = ConvVae.forImages(new int[] {3, size, size}, 6, new SplittableRandom(2));
            v.useGenerator(new SplittableRandom(3));
            try (var ng = Autograd.noGrad()) {
                Vae.Pass p = v.pass(Var.constant(images(4, 2, 3, size, size)));
                assertThat(p.mu().shape()).containsExactly(2, 6);
                assertThat(p.z().shape()).containsExactly(2, 6);
                assertThat(p.xMean().shape()).containsExactly(2, 3, size, size);
                for (float s : p.var().value.toArray()) assertThat(s).isBetween(0.01f, 7f);
                assertThat(v.generate(3).shape()).containsExactly(3, 3, size, size);
            }
        }
        assertThatThrownBy(
                        () -> ConvVae.forImages(new int[] {3, 28, 28}, 6, new SplittableRandom(2)))
                .hasMessageContaining("[3, 28, 28]");
    }

    @Test
    void lossIsTheMirCodesMseLoss() {
        ConvVae v = new ConvVae(3, ConvVae.Layout.CIFAR10, 4, new SplittableRandom(5));
        v.useGenerator(new SplittableRandom(6));
        Var x = Var.constant(images(7, 2, 3, 32, 32));
        Vae.Pass p = v.pass(x);
        Vae.Loss l = v.vaeLoss(p, x, 0.3f);
        float[] xm = p.xMean().value.toArray(), xs = x.value.toArray();
        double se = 0;
        for (int i = 0; i < xs.length; i++) se += (xm[i] - xs[i]) * (double) (xm[i] - xs[i]);
        double rec = se / xs.length / 2; // the mean, then / N again: the MIR code's quirk
        float[] mu = p.mu().value.toArray(),
                s2 = p.var().value.toArray(),
                z = p.z().value.toArray();
        double kl = 0;
        for (int i = 0; i < z.length; i++)
            kl +=
                    -0.5 * (Math.log(s2[i]) + (z[i] - mu[i]) * (z[i] - mu[i]) / s2[i])
                            + 0.5 * z[i] * z[i];
        assertThat(l.rec().value.toArray()[0]).isCloseTo((float) rec, Offset.offset(1e-6f));
        assertThat(l.kl().value.toArray()[0]).isCloseTo((float) (kl / 2), Offset.offset(1e-4f));
        assertThat(l.loss().value.toArray()[0])
                .isCloseTo((float) (rec + 0.3 * kl / 2), Offset.offset(1e-4f));
        Autograd.backward(l.loss());
        for (Var w : v.parameters()) assertThat(w.grad).isNotNull();
    }

    @Test
    void gatedConvIsHTimesSigmoidGate() {
        GatedConv2d g = new GatedConv2d(2, 3, 3, 1, 1, new SplittableRandom(8));
        GatedConvTranspose2d t =
                new GatedConvTranspose2d(2, 3, 3, 2, 1, 1, new SplittableRandom(9));
        Var x = Var.constant(images(10, 1, 2, 4, 5));
        check(g.forward(x), g.h.forward(x), g.g.forward(x));
        check(t.forward(x), t.h.forward(x), t.g.forward(x));
        assertThat(t.forward(x).shape()).containsExactly(1, 3, 8, 10);
        // PyTorch's ConvTranspose2d layout [in, out, k, k]; 2·(in·k² + 1)·out parameters
        assertThat(t.h.weight.value().shape).containsExactly(2, 3, 3, 3);
        assertThat(t.parameterCount()).isEqualTo(2 * (2 * 9 * 3 + 3));
    }

    private static void check(Var y, Var h, Var g) {
        float[] a = y.value.toArray(), hh = h.value.toArray(), gg = g.value.toArray();
        for (int i = 0; i < a.length; i++)
            assertThat(a[i])
                    .isCloseTo((float) (hh[i] / (1 + Math.exp(-gg[i]))), Offset.offset(1e-6f));
    }
}

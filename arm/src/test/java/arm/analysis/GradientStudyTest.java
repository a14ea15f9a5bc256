package arm.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import arm.autograd.FakeDevice;
import arm.autograd.Var;
import arm.data.Dataset;
import arm.nn.Linear;
import arm.nn.Mlp;
import arm.nn.Module;
import arm.nn.Parameter;
import arm.nn.ResNet18;
import arm.tensor.Device;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The gradient-correlation study: cosines, layer grouping, statistics, and known answers on a tiny
 * model.
 */
class GradientStudyTest {

    /** One linear layer named fc1, as the MLP names its first layer. */
    static final class Tiny extends Module {
        final Linear fc1;

        Tiny(int in, int out) {
            fc1 = child("fc1", new Linear(in, out, new SplittableRandom(1)));
        }

        @Override
        public Var forward(Var x) {
            return fc1.forward(x);
        }

        @Override
        protected Module blank() {
            return new Tiny(fc1.in, fc1.out);
        }
    }

    @Test
    void cosineIsOneForIdenticalMinusOneForOppositeNaNForZero() {
        float[] a = {0.3f, -1.2f, 2.5f, 0.01f}, neg = new float[4], scaled = new float[4];
        for (int i = 0; i < 4; i++) {
            neg[i] = -a[i];
            scaled[i] = 7 * a[i];
        }
        assertThat(GradientStudy.cosine(a, a)).isCloseTo(1, within(1e-12));
        assertThat(GradientStudy.cosine(a, scaled)).isCloseTo(1, within(1e-12));
        assertThat(GradientStudy.cosine(a, neg)).isCloseTo(-1, within(1e-12));
        assertThat(GradientStudy.cosine(new float[] {1, 0}, new float[] {0, 3})).isZero();
        assertThat(GradientStudy.cosine(a, new float[4])).isNaN();
    }

    /**
     * A linear softmax classifier with zero weights predicts p = (½, ½), so the CE gradient on x
     * with label y is (p − e_y) xᵀ: label 0 and label 1 give exactly opposite gradients. A recalled
     * sample equal to the real image x, targeted at class 0 and originating from class 1, must then
     * correlate +1 with class 2 (target) and −1 with class 1 (originator), for hard and soft (π =
     * e_0) targets.
     */
    @Test
    void knownAnswersOnATinyModel() {
        Tiny model = new Tiny(3, 2);
        for (Parameter p : model.namedParameters().values()) Arrays.fill(p.value().data(), 0f);
        byte[] px = {40, (byte) 200, 90, 40, (byte) 200, 90};
        Dataset real = new Dataset("real", px, new int[] {0, 1}, new int[] {3});
        float[] x = real.batch(new int[] {0}).toArray();
        var recalled = List.of(new GradientStudy.Recalled(x, 1, new float[] {1f, 0f}));

        GradientStudy.Result r =
                GradientStudy.run(model, recalled, real, true, new SplittableRandom(2));

        assertThat(r.layers()).containsExactly("FC 1", "All");
        assertThat(r.blocks()).containsExactly("fc1.weight", "fc1.bias");
        for (GradientStudy.Targets v : GradientStudy.Targets.values()) {
            List<GradientStudy.Row> rows = r.table(v);
            for (GradientStudy.Row row : rows) {
                assertThat(row.class1().mean())
                        .as(v + " " + row.layer())
                        .isCloseTo(-1, within(1e-6));
                assertThat(row.class2().mean())
                        .as(v + " " + row.layer())
                        .isCloseTo(1, within(1e-6));
                assertThat(row.class1().std()).isCloseTo(0, within(1e-9));
                assertThat(row.class1().n()).isEqualTo(1);
            }
        }
        assertThat(r.sameClass()).isZero();
    }

    @Test
    void layersFollowThePapersNames() {
        assertThat(GradientStudy.layerOf("fc1.weight")).isEqualTo("FC 1");
        assertThat(GradientStudy.layerOf("fc3.bias")).isEqualTo("FC 3");
        assertThat(GradientStudy.layerOf("conv1.weight")).isEqualTo("Conv 1");
        assertThat(GradientStudy.layerOf("bn1.bias")).isEqualTo("Conv 1");
        assertThat(GradientStudy.layerOf("layer1.0.conv1.weight")).isEqualTo("Conv 2");
        assertThat(GradientStudy.layerOf("layer4.1.shortcut.1.weight")).isEqualTo("Conv 5");
        assertThat(GradientStudy.layerOf("linear.weight")).isEqualTo("FC");
    }

    @Test
    void statIsMeanAndPopulationStdIgnoringNaN() {
        GradientStudy.Stat s = GradientStudy.stat(new double[] {1, 2, Double.NaN, 3, 4});
        assertThat(s.mean()).isEqualTo(2.5);
        assertThat(s.std()).isCloseTo(Math.sqrt(1.25), within(1e-12)); // ddof = 0
        assertThat(s.n()).isEqualTo(4);
        assertThat(GradientStudy.stat(new double[] {Double.NaN}).mean()).isNaN();
    }

    /** n random 3×32×32 images labelled 0, 1, …, n − 1. */
    static Dataset cifarShaped(int n, SplittableRandom rng) {
        byte[] px = new byte[n * 3 * 32 * 32];
        for (int i = 0; i < px.length; i++) px[i] = (byte) rng.nextInt(256);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = i;
        return new Dataset("real", px, labels, new int[] {3, 32, 32});
    }

    /**
     * ResNet18 (tiny width): the paper's six layers, BatchNorm γ/β counted or not, single-sample
     * gradients in eval mode (running statistics), so every cosine is defined and in [−1, 1]; the
     * same on a device.
     */
    @Test
    void resnetStudyGroupsStemStagesAndHead() {
        SplittableRandom rng = new SplittableRandom(8);
        var model = new ResNet18(ResNet18.Variant.CIFAR10, 2, rng);
        Dataset real = cifarShaped(10, rng);
        float[] p = new float[10];
        p[4] = 0.7f;
        p[1] = 0.3f;
        var recalled =
                List.of(new GradientStudy.Recalled(real.batch(new int[] {2}).toArray(), 2, p));
        GradientStudy.Result with =
                GradientStudy.run(model, recalled, real, true, new SplittableRandom(9));
        assertThat(with.layers())
                .containsExactly("Conv 1", "Conv 2", "Conv 3", "Conv 4", "Conv 5", "FC", "All");
        assertThat(with.blocks()).contains("bn1.weight", "layer1.0.bn1.bias", "linear.bias");
        assertThat(model.isTraining()).isFalse();
        GradientStudy.Result without =
                GradientStudy.run(model, recalled, real, false, new SplittableRandom(9));
        assertThat(without.blocks())
                .noneMatch(b -> b.contains("bn"))
                .contains("conv1.weight", "linear.weight");
        for (GradientStudy.Row row : with.table(GradientStudy.Targets.HARD)) {
            assertThat(row.class1().n()).as(row.layer()).isEqualTo(1);
            assertThat(row.class1().mean()).isBetween(-1.0, 1.0);
            assertThat(row.class2().mean()).isBetween(-1.0, 1.0);
        }
        // the model on a (fake) GPU gives the same study, bit for bit
        GradientStudy.Result onDevice;
        try (FakeDevice fake = FakeDevice.install()) {
            onDevice =
                    GradientStudy.run(
                            model.copy().to(Device.CUDA),
                            recalled,
                            real,
                            true,
                            new SplittableRandom(9));
        }
        GradientStudy.Sample a = with.samples().get(0), b = onDevice.samples().get(0);
        for (double[][] pair :
                new double[][][] {
                    {a.hard1(), b.hard1()},
                    {a.hard2(), b.hard2()},
                    {a.soft1(), b.soft1()},
                    {a.soft2(), b.soft2()}
                }) assertThat(pair[1]).containsExactly(pair[0]);
    }

    /**
     * On a random MLP: one value per layer and "All", cosines in [−1, 1], "All" = mean over the 6
     * blocks.
     */
    @Test
    void mlpStudyHasOneRowPerLayerAndAllIsTheBlockMean() {
        SplittableRandom rng = new SplittableRandom(5);
        Mlp model = new Mlp(12, 7, 4, rng);
        byte[] px = new byte[40 * 12];
        int[] labels = new int[40];
        for (int i = 0; i < px.length; i++) px[i] = (byte) rng.nextInt(256);
        for (int i = 0; i < labels.length; i++) labels[i] = i % 4;
        Dataset real = new Dataset("real", px, labels, new int[] {12});
        List<GradientStudy.Recalled> recalled = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            float[] x = new float[12], p = new float[4];
            for (int j = 0; j < 12; j++) x[j] = (float) rng.nextGaussian();
            float sum = 0;
            for (int c = 0; c < 4; c++) sum += p[c] = (float) rng.nextDouble() + 0.01f;
            for (int c = 0; c < 4; c++) p[c] /= sum;
            recalled.add(new GradientStudy.Recalled(x, i % 4, p));
        }
        GradientStudy.Result r =
                GradientStudy.run(model, recalled, real, true, new SplittableRandom(6));
        assertThat(r.layers()).containsExactly("FC 1", "FC 2", "FC 3", "All");
        assertThat(r.samples()).hasSize(9);
        for (GradientStudy.Sample s : r.samples()) {
            for (double[] v : List.of(s.hard1(), s.hard2(), s.soft1(), s.soft2()))
                for (double c : v) assertThat(c).isBetween(-1.0, 1.0);
            // each layer has 2 blocks (weight, bias), so All is the mean of the three layer means
            assertThat(s.hard2()[3])
                    .isCloseTo((s.hard2()[0] + s.hard2()[1] + s.hard2()[2]) / 3, within(1e-12));
        }
    }

    /**
     * The fused per-block cosines are {@link GradientStudy#cosine}'s, bit for bit, on random blocks
     * of odd lengths, with an all-zero block on each side (NaN).
     */
    @Test
    void fusedCosinesAreCosinesBitForBit() {
        SplittableRandom r = new SplittableRandom(11);
        int[] lengths = {1, 7, 33, 401, 1000};
        float[][][] v = new float[4][lengths.length][];
        for (int q = 0; q < 4; q++)
            for (int i = 0; i < lengths.length; i++) {
                v[q][i] = new float[lengths[i]];
                for (int j = 0; j < lengths[i]; j++) v[q][i][j] = (float) r.nextGaussian();
            }
        Arrays.fill(v[0][1], 0f); // hard's block 1 zero
        Arrays.fill(v[3][2], 0f); // g2's block 2 zero
        double[][] cos = GradientStudy.cosines(v[0], v[1], v[2], v[3]);
        int[][] pairs = {{0, 2}, {0, 3}, {1, 2}, {1, 3}};
        for (int p = 0; p < 4; p++)
            for (int i = 0; i < lengths.length; i++) {
                double want = GradientStudy.cosine(v[pairs[p][0]][i], v[pairs[p][1]][i]);
                assertThat(Double.doubleToRawLongBits(cos[p][i]))
                        .as("pair " + p + " block " + i)
                        .isEqualTo(Double.doubleToRawLongBits(want));
            }
        assertThat(cos[0][1]).isNaN();
        assertThat(cos[1][2]).isNaN();
    }
}

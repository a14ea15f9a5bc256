package arm.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import arm.data.ContinualData;
import arm.data.SyntheticData;
import arm.run.ProgressListener;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * GEN and GEN-MIR: memory columns (MNIST, CIFAR10, MiniImageNet), options, the retrieval switch,
 * the NaN fallback.
 */
class GenTest {
    static final ContinualData DATA = MethodsTest.DATA; // 16 pixels, 4 classes, T = 10

    static Map<String, String> small(String... kv) {
        Map<String, String> m =
                new HashMap<>(
                        Map.of(
                                "mlp_hidden", "16",
                                "gen_hidden", "12",
                                "z_size", "4",
                                "gen_iters", "2",
                                "cls_iters", "2"));
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    @Test
    void modelMemoryIsThePapersOnMnist() {
        ContinualData mnist = SyntheticData.mnistShaped(0);
        MemoryCost gen = MemoryCost.of(Methods.create("GEN", Map.of()), mnist);
        MemoryCost mir = MemoryCost.of(Methods.create("GEN-MIR", Map.of()), mnist);
        // 2·254,068 + 636,020 and 2·221,044 + 636,020: Table 6's 1.14M and 1.08M
        assertThat(gen.modelParams()).isEqualTo(1_144_156L);
        assertThat(mir.modelParams()).isEqualTo(1_078_108L);
        assertThat(gen.modelBytes()).isEqualTo(4 * 1_144_156L);
        assertThat(gen.m()).isEqualTo(40);
        assertThat(mir.m()).isEqualTo(100);
        assertThat(gen.sampleImages()).isZero();
    }

    @Test
    void genMirWithRandomRetrievalOnBothSidesIsGen() {
        Map<String, String> shared =
                small("n_mem", "2", "gen_depth", "1", "dropout", "0.4", "warmup", "30");
        Map<String, String> mir = new HashMap<>(shared);
        mir.putAll(Map.of("cls_retrieval", "random", "gen_retrieval", "random"));
        float[] a = trained("GEN", shared), b = trained("GEN-MIR", mir);
        assertThat(b).containsExactly(a);
        assertThat(trained("GEN-MIR", small("n_mem", "2", "mir_iters", "2")))
                .isNotEqualTo(trained("GEN", small("n_mem", "2")));
    }

    /** The classifier's weights after one pass, all parameters flattened. */
    static float[] trained(String method, Map<String, String> options) {
        Stepper s = Stepper.create(Methods.create(method, options), DATA, 3);
        for (int t = 0; t < DATA.numBatches(); t++) s.train(t);
        List<Float> out = new ArrayList<>();
        for (var p : s.model().namedParameters().values())
            for (float v : p.value().toArray()) out.add(v);
        float[] f = new float[out.size()];
        for (int i = 0; i < f.length; i++) f[i] = out.get(i);
        return f;
    }

    @Test
    void aSearchThatTurnsNaNFallsBackToRandomSamples() {
        // a huge diversity weight sends the codes to ±∞; the shell term's √ then gives 0·∞ = NaN
        Method m =
                Methods.create(
                        "GEN-MIR",
                        small("n_mem", "2", "mir_iters", "4", "cls_div", "1e38", "cls_shell", "1"));
        Stepper s = Stepper.create(m, DATA, 1);
        for (int t = 0; t < DATA.numBatches(); t++) s.train(t);
        Gen.GenLearner l = (Gen.GenLearner) s.learner();
        assertThat(l.searches).isEqualTo(2 * 10);
        assertThat(l.fallbacks).isEqualTo(10); // every classifier-side search, no generator-side
    }

    @Test
    void badOptionsAreOneLine() {
        assertThatThrownBy(() -> Methods.create("GEN", Map.of("dropout", "1")))
                .hasMessage("GEN option dropout must be a probability in [0, 1), got '1'");
        assertThatThrownBy(() -> Methods.create("GEN", Map.of("rng", "authors")))
                .hasMessageStartingWith("GEN option rng must be ours");
        assertThatThrownBy(() -> Methods.create("GEN", Map.of("model", "mlp")))
                .hasMessageStartingWith("GEN option model must be auto");
        assertThatThrownBy(() -> Methods.create("GEN-MIR", Map.of("mir_init", "zero")))
                .hasMessage("GEN-MIR option mir_init must be one of prior, posterior, got 'zero'");
        assertThatThrownBy(() -> Methods.create("GEN-MIR", Map.of("cls_ent", "-1")))
                .hasMessageStartingWith("GEN-MIR option cls_ent must be a finite number >= 0");
        assertThatThrownBy(() -> Methods.create("GEN", Map.of("mir_iters", "3")))
                .hasMessageStartingWith("GEN has no option 'mir_iters'");
        Method gen = Methods.create("GEN", Map.of());
        assertThatThrownBy(() -> gen.run(grey(28, 10), 0, ProgressListener.NONE))
                .hasMessageStartingWith("ResNet18 is defined for 3×32×32 images");
    }

    @Test
    void modelMemoryOnCifarAndMiniImageNet() {
        ContinualData cifar = SyntheticData.cifarShaped(0);
        MemoryCost gen = MemoryCost.of(Methods.create("GEN", "cifar10", Map.of()), cifar);
        MemoryCost mir = MemoryCost.of(Methods.create("GEN-MIR", "cifar10", Map.of()), cifar);
        // 2·(3,333,315 + 8,706·z) + ResNet18's 1,094,750 at z = 50 and 100: Table 1's 8.63M, 9.50M
        assertThat(gen.modelParams()).isEqualTo(8_631_980L);
        assertThat(mir.modelParams()).isEqualTo(9_502_580L);
        assertThat(List.of(gen.m(), mir.m())).containsExactly(100, 40);
        ContinualData mini = images(3, 84, 100);
        gen = MemoryCost.of(Methods.create("GEN", "miniimagenet", Map.of()), mini);
        mir = MemoryCost.of(Methods.create("GEN-MIR", "miniimagenet", Map.of()), mini);
        // 2·(9,624,771 + 33,282·100) + the 100-class ResNet18's 1,157,240: Table 5's 27.1M
        assertThat(gen.modelParams()).isEqualTo(27_063_182L);
        assertThat(mir.modelParams()).isEqualTo(27_063_182L);
        assertThat(List.of(gen.m(), mir.m())).containsExactly(10, 20);
    }

    @Test
    void genMirSearchesThroughTheMiniImageNetVae() {
        ContinualData mini = images(3, 84, 100); // 5 tasks of 2 batches: replay from t = 2
        Map<String, String> o =
                Map.of(
                        "resnet_nf", "2",
                        "z_size", "2",
                        "gen_iters", "1",
                        "cls_iters", "1",
                        "n_mem", "1",
                        "mir_iters", "1");
        Stepper s = Stepper.create(Methods.create("GEN-MIR", "miniimagenet", o), mini, 2);
        for (int t = 0; t < 3; t++) s.train(t);
        Gen.GenLearner l = (Gen.GenLearner) s.learner();
        assertThat(l.gen).isInstanceOf(arm.nn.ConvVae.class);
        assertThat(l.searches).isEqualTo(2); // the classifier's and the generator's at t = 2
        assertThat(l.fallbacks).isZero();
        for (var p : s.model().namedParameters().values())
            for (float v : p.value().toArray()) assertThat(Float.isFinite(v)).isTrue();
    }

    static ContinualData grey(int side, int classes) {
        return images(1, side, classes);
    }

    /** One c×side×side image per class, N = 10. */
    static ContinualData images(int c, int side, int classes) {
        arm.data.Dataset d =
                new arm.data.Dataset(
                        "images",
                        new byte[classes * c * side * side],
                        java.util.stream.IntStream.range(0, classes).toArray(),
                        new int[] {c, side, side});
        int[] all = java.util.stream.IntStream.range(0, classes).toArray();
        return new ContinualData(d, all, d, d, classes, classes / 5, 10);
    }
}

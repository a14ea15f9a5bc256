package arm.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import arm.autograd.Var;
import arm.method.Method;
import arm.method.Methods;
import arm.method.MethodsTest;
import arm.method.RecallLoss;
import arm.nn.Mlp;
import arm.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The numerical guard: finite checks, and a failing recall loss taken apart term by term. */
class GuardTest {

    @Test
    void finiteSeesEveryNaNAndInfAndNothingElse() {
        float[] v = new float[1001];
        Arrays.fill(v, 3e38f);
        v[7] = Float.MIN_VALUE;
        v[8] = -0f;
        assertThat(Guard.finite(Tensor.of(v, 1001))).isTrue();
        for (float bad :
                new float[] {
                    Float.NaN,
                    Float.POSITIVE_INFINITY,
                    Float.NEGATIVE_INFINITY,
                    Float.intBitsToFloat(0x7fc00001)
                }) {
            for (int at : new int[] {0, 500, 1000}) {
                float[] w = v.clone();
                w[at] = bad;
                assertThat(Guard.finite(Tensor.of(w, 1001))).as(bad + " at " + at).isFalse();
            }
        }
        // a view: only its own elements count
        float[] big = {Float.NaN, 1, 2, Float.NaN};
        assertThat(Guard.finite(new Tensor(new arm.tensor.CpuStorage(big), 1, 2))).isTrue();
    }

    @Test
    void deviceGradientsAreCheckedWithOneReadAndTheFirstBadOneIsNamed() {
        try (arm.autograd.FakeDevice fake = arm.autograd.FakeDevice.install();
                arm.tensor.Scope s = arm.tensor.Scope.open()) {
            arm.tensor.Backend gpu = arm.tensor.Backends.get(arm.tensor.Device.CUDA);
            java.util.List<Tensor> xs = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) xs.add(gpu.upload(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
            assertThat(Guard.firstNonFinite(xs)).isEqualTo(-1);
            xs.set(2, gpu.upload(new float[] {1, Float.NaN, 3, 4, 5, 6}, 2, 3));
            xs.set(3, gpu.upload(new float[] {Float.POSITIVE_INFINITY}, 1));
            assertThat(Guard.firstNonFinite(xs)).isEqualTo(2);
            assertThat(Guard.firstNonFinite(java.util.List.of())).isEqualTo(-1);
        }
    }

    @Test
    void aBrokenRealStepOnTheDeviceNamesTheParameter() {
        try (arm.autograd.FakeDevice fake = arm.autograd.FakeDevice.install()) {
            Method naive =
                    Methods.create(
                            "Naive", Map.of("mlp_hidden", "16", "lr", "1e30", "device", "cuda"));
            assertThatThrownBy(() -> naive.run(MethodsTest.DATA, 1, ProgressListener.NONE))
                    .isInstanceOf(NumericalException.class)
                    .hasMessageMatching(
                            "Naive iteration \\d+: (step A loss CE\\(f_cur\\(X\\), Y\\) is"
                                    + " .*|gradient of \\S+ in step A holds NaN or Inf)");
        }
    }

    @Test
    void aBrokenRealStepNamesMethodIterationAndTerm() {
        Method naive = Methods.create("Naive", Map.of("mlp_hidden", "16", "lr", "1e30"));
        assertThatThrownBy(() -> naive.run(MethodsTest.DATA, 1, ProgressListener.NONE))
                .isInstanceOfSatisfying(
                        NumericalException.class,
                        e -> {
                            assertThat(e.method).isEqualTo("Naive");
                            assertThat(e.iteration).isPositive();
                            assertThat(e.term).contains("step A");
                        })
                .hasMessageMatching(
                        "Naive iteration \\d+: step A loss CE\\(f_cur\\(X\\), Y\\) is"
                                + " (NaN|Infinity|-Infinity)");
    }

    @Test
    void aBrokenRecallNamesTheRecallTerm() {
        Method arm = Methods.create("ARM", Map.of("mlp_hidden", "16", "eta1", "1e36"));
        assertThatThrownBy(() -> arm.run(MethodsTest.DATA, 1, ProgressListener.NONE))
                .isInstanceOfSatisfying(
                        NumericalException.class,
                        e -> {
                            assertThat(e.method).isEqualTo("ARM");
                            assertThat(e.iteration)
                                    .isGreaterThanOrEqualTo(10); // recall starts at T = 10
                        })
                .hasMessageContainingAll("ARM iteration ", "refinement step");
    }

    @Test
    void aBrokenRecallOnTheDeviceIsFoundByTheDeferredCheckAndNamedLikeOnTheCpu() {
        Map<String, String> o = Map.of("mlp_hidden", "16", "eta1", "1e36");
        String cpu = null, dev = null;
        try {
            Methods.create("ARM", o).run(MethodsTest.DATA, 1, ProgressListener.NONE);
        } catch (NumericalException e) {
            cpu = e.getMessage();
        }
        Map<String, String> onDevice = new java.util.HashMap<>(o);
        onDevice.put("device", "cuda");
        try (arm.autograd.FakeDevice fake = arm.autograd.FakeDevice.install()) {
            Methods.create("ARM", onDevice).run(MethodsTest.DATA, 1, ProgressListener.NONE);
        } catch (NumericalException e) {
            dev = e.getMessage();
        }
        assertThat(cpu).contains("refinement step");
        assertThat(dev)
                .isEqualTo(cpu); // one read per refinement, then the steps redone with checks
    }

    @Test
    void theFirstNonFiniteTermIsNamed() {
        RecallLoss.Weights w =
                new RecallLoss.Weights(
                        RecallLoss.Divergence.REVERSED_KL,
                        1,
                        1,
                        0.1f,
                        16,
                        0.1f,
                        1,
                        1,
                        new int[] {1, 4, 4});
        Mlp fOld = new Mlp(16, 8, 4, new SplittableRandom(1)),
                fCur = new Mlp(16, 8, 4, new SplittableRandom(2));
        float[] x = new float[3 * 16];
        Arrays.fill(x, 0.5f);
        x[5] = Float.NaN;
        Var xv = Var.constant(Tensor.of(x, 3, 16));
        assertThat(
                        Guard.firstBadTerm(
                                w,
                                0,
                                fOld.forward(xv),
                                fCur.forward(xv),
                                xv,
                                new int[] {0},
                                null,
                                null))
                .isEqualTo("recalled inputs X̂");
        Arrays.fill(x, 1e20f); // finite inputs and logits, but ‖x‖² overflows in the L2 term
        Var big = Var.constant(Tensor.of(x, 3, 16));
        String term =
                Guard.firstBadTerm(
                        w, 0, fOld.forward(big), fCur.forward(big), big, new int[] {0}, null, null);
        assertThat(term).startsWith("λ");
        RecallLoss.Weights off =
                new RecallLoss.Weights(
                        RecallLoss.Divergence.REVERSED_KL,
                        1,
                        1,
                        0.1f,
                        16,
                        0.1f,
                        0,
                        0,
                        new int[] {1, 4, 4});
        assertThat(
                        Guard.firstBadTerm(
                                off,
                                0,
                                fOld.forward(big),
                                fCur.forward(big),
                                big,
                                new int[] {0},
                                null,
                                null))
                .doesNotContain("R_L2")
                .doesNotContain("R_TV"); // terms switched off are never blamed
    }
}

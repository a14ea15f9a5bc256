package arm.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import arm.autograd.FakeDevice;
import arm.autograd.Var;
import arm.method.Method;
import arm.method.Methods;
import arm.method.MethodsTest;
import arm.method.RecallLoss;
import arm.nn.Mlp;
import arm.tensor.Backend;
import arm.tensor.Backends;
import arm.tensor.CpuStorage;
import arm.tensor.Device;
import arm.tensor.Scope;
import arm.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
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
        assertThat(Guard.finite(new Tensor(new CpuStorage(big), 1, 2))).isTrue();
    }

    @Test
    void deviceGradientsAreCheckedWithOneReadAndTheFirstBadOneIsNamed() {
        try (FakeDevice fake = FakeDevice.install();
                Scope s = Scope.open()) {
            Backend gpu = Backends.get(Device.CUDA);
            List<Tensor> xs = new ArrayList<>();
            for (int i = 0; i < 4; i++) xs.add(gpu.upload(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
            assertThat(Guard.firstNonFinite(xs)).isEqualTo(-1);
            xs.set(2, gpu.upload(new float[] {1, Float.NaN, 3, 4, 5, 6}, 2, 3));
            xs.set(3, gpu.upload(new float[] {Float.POSITIVE_INFINITY}, 1));
            assertThat(Guard.firstNonFinite(xs)).isEqualTo(2);
            assertThat(Guard.firstNonFinite(List.of())).isEqualTo(-1);
        }
    }

    @Test
    void aBrokenRealStepOnTheDeviceNamesTheParameter() {
        try (FakeDevice fake = FakeDevice.install()) {
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

    /**
     * Steps A and B through captured graphs ({@code -Darm.graphs=reuse}): the flags read once per
     * step name the same iteration and term as the eager device run's checks. With lr = 1e30 step A
     * breaks at iteration 1 (its capture); with λ0 = 3e38 step B's finite but huge steps break step
     * A of iteration 11, a replay.
     */
    @Test
    void aBrokenCapturedSgdStepIsNamedLikeAnEagerOne() {
        for (String[] kv :
                new String[][] {
                    {"lr", "1e30", "step A", "10"}, {"lambda0", "3e38", "step A", "0"}
                }) {
            Map<String, String> o = new HashMap<>(Map.of("mlp_hidden", "16", "device", "cuda"));
            o.put(kv[0], kv[1]);
            o.put("recall_from_t", kv[3]);
            String[] messages = new String[2];
            int i = 0;
            for (String graphs : new String[] {"false", "reuse"}) {
                String old = System.getProperty("arm.graphs");
                System.setProperty("arm.graphs", graphs);
                try (FakeDevice fake = FakeDevice.install()) {
                    Methods.create("ARM", o).run(MethodsTest.DATA, 1, ProgressListener.NONE);
                } catch (NumericalException e) {
                    messages[i] = e.getMessage();
                } finally {
                    if (old == null) System.clearProperty("arm.graphs");
                    else System.setProperty("arm.graphs", old);
                }
                i++;
            }
            System.out.println(kv[0] + "=" + kv[1] + ": " + messages[1]);
            assertThat(messages[0]).as(kv[0]).contains("ARM iteration ", kv[2]);
            assertThat(messages[1]).as(kv[0]).isEqualTo(messages[0]);
        }
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
        Map<String, String> onDevice = new HashMap<>(o);
        onDevice.put("device", "cuda");
        try (FakeDevice fake = FakeDevice.install()) {
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

package arm.method;

import static org.assertj.core.api.Assertions.assertThat;

import arm.data.ContinualData;
import arm.data.SyntheticData;
import arm.run.IterationParity;
import arm.run.ProgressListener;
import arm.run.Recording;
import arm.run.RunResult;
import arm.tensor.HostPool;
import arm.tensor.Scope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * ARM's refinement steps run in {@link Scope#recycling} scopes: every host array a step makes goes
 * back to the thread's {@link HostPool} and is handed out again by the next step. Whole iterations
 * with recycling, and with every recycled {@code empty} array NaN-filled first, end bit for bit
 * where the same iterations end with every array fresh from the JVM: on ResNet18 (CIFAR-shaped,
 * dedup on and off) and on the MNIST MLP.
 */
class RecyclingRunTest {

    @AfterEach
    void reset() {
        Scope.recycle(true);
        HostPool.poison(false);
        HostPool.clear();
    }

    /** f_cur, f_old and X̂ after each refinement step, over three iterations. */
    static List<Map<String, float[]>> run(
            String dataset, ContinualData data, Map<String, String> options) {
        Stepper run = Stepper.create(Methods.create("ARM", dataset, options), data, 42);
        var learner = (RecallMethod.RecallLearner) run.learner();
        List<Map<String, float[]>> out = new ArrayList<>();
        Map<String, float[]> refined = new LinkedHashMap<>();
        learner.trace(
                (event, t, xhat) -> {
                    if (event.equals("refine"))
                        refined.put(t + ":" + refined.size(), xhat.toArray());
                });
        for (int t = 0; t < 3; t++) run.train(t);
        out.add(IterationParity.state(run.model()));
        out.add(IterationParity.state(learner.fOld));
        out.add(refined);
        return out;
    }

    static void sameBits(List<Map<String, float[]>> a, List<Map<String, float[]>> b, String what) {
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.get(i).keySet()).as(what).containsExactlyElementsOf(b.get(i).keySet());
            for (var e : a.get(i).entrySet()) {
                // AssertJ's containsExactly compares a whole model's floats in quadratic time:
                // only a difference goes through it, for its message
                if (Arrays.equals(e.getValue(), b.get(i).get(e.getKey()))) continue;
                assertThat(e.getValue())
                        .as(what + " " + e.getKey())
                        .containsExactly(b.get(i).get(e.getKey()));
            }
        }
    }

    static void recycledEqualsFresh(String dataset, ContinualData data, Map<String, String> opt) {
        Scope.recycle(false);
        var fresh = run(dataset, data, opt);
        Scope.recycle(true);
        HostPool.clear();
        var recycled = run(dataset, data, opt);
        assertThat(HostPool.pooledFloats()).isPositive();
        HostPool.poison(true);
        var poisoned = run(dataset, data, opt);
        sameBits(recycled, fresh, dataset + " " + opt + " recycled");
        sameBits(poisoned, fresh, dataset + " " + opt + " recycled, NaN-filled");
    }

    @Test
    void resnetIterationsAreBitIdenticalWithRecycledArrays() {
        ContinualData data = SyntheticData.cifarShaped(3);
        for (String dedup : new String[] {"on", "off"})
            recycledEqualsFresh(
                    "cifar10",
                    data,
                    Map.of("recall_from_t", "0", "resnet_nf", "4", "S", "2", "dedup", dedup));
    }

    /** A whole run with recording and the gradient study, NaN-filled recycled arrays. */
    @Test
    void aRecordedRunEqualsTheRunWithFreshArrays() {
        Scope.recycle(false);
        RunResult fresh =
                Methods.create("ARM", RecordingTest.RECALL)
                        .run(RecordingTest.DATA, 5, ProgressListener.NONE, new Recording(true, 12));
        Scope.recycle(true);
        HostPool.poison(true);
        RunResult recycled =
                Methods.create("ARM", RecordingTest.RECALL)
                        .run(RecordingTest.DATA, 5, ProgressListener.NONE, new Recording(true, 12));
        assertThat(HostPool.pooledFloats()).as("the pool a finished run leaves").isZero();
        assertThat(recycled.evals()).hasSameSizeAs(fresh.evals());
        for (int i = 0; i < fresh.evals().size(); i++)
            assertThat(recycled.evals().get(i).testPerClass())
                    .containsExactly(fresh.evals().get(i).testPerClass());
        for (int i = 0; i < fresh.gradients().samples().size(); i++)
            assertThat(recycled.gradients().samples().get(i).soft2())
                    .containsExactly(fresh.gradients().samples().get(i).soft2());
        assertThat(recycled.recall().t()).containsExactly(fresh.recall().t());
    }

    /**
     * The plain methods' steps give their last step's parameter gradients back to the pool ({@code
     * Sgd.zeroGrad} in a recycling scope): f_cur after 16 iterations (past the first task, so ER
     * replays and Distill distills) equals the run with fresh arrays, also NaN-filled.
     */
    @Test
    void plainStepsAreBitIdenticalWithRecycledGradients() {
        ContinualData data = SyntheticData.mnistShaped(5);
        int iterations = data.batchesPerTask() + 6;
        for (String method : new String[] {"Naive", "Distill", "ER", "ER-MIR"}) {
            Map<String, String> opt = Map.of();
            List<Map<String, float[]>> fresh, recycled, poisoned;
            Scope.recycle(false);
            fresh = plain(method, data, iterations, opt);
            Scope.recycle(true);
            HostPool.clear();
            recycled = plain(method, data, iterations, opt);
            assertThat(HostPool.pooledFloats()).as(method).isPositive();
            HostPool.poison(true);
            poisoned = plain(method, data, iterations, opt);
            HostPool.poison(false);
            sameBits(recycled, fresh, method + " recycled");
            sameBits(poisoned, fresh, method + " recycled, NaN-filled");
        }
    }

    private static List<Map<String, float[]>> plain(
            String method, ContinualData data, int iterations, Map<String, String> opt) {
        Stepper run = Stepper.create(Methods.create(method, "mnist", opt), data, 7);
        List<Map<String, float[]>> out = new ArrayList<>();
        for (int t = 0; t < iterations; t++) {
            run.train(t);
            if (t % 4 == 3) out.add(IterationParity.state(run.model()));
        }
        return out;
    }

    @Test
    void mnistIterationsAreBitIdenticalWithRecycledArrays() {
        recycledEqualsFresh(
                "mnist", SyntheticData.mnistShaped(4), Map.of("recall_from_t", "0", "S", "3"));
    }
}

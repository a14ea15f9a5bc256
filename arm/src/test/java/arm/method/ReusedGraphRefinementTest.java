package arm.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import arm.autograd.FakeDevice;
import arm.data.ContinualData;
import arm.data.SyntheticData;
import arm.nn.Module;
import arm.run.LossLog;
import arm.tensor.CapturedStep;
import arm.tensor.Device;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code -Darm.graphs=reuse} on the fake device (which replays a graph's recorded calls on the
 * tensors and host arrays it had at capture): one graph serves the refinements of several
 * iterations, X̂ and the deferred check's scalar in fixed buffers written before each refinement's
 * steps, and the run equals the eager one and the one captured per refinement bit for bit. A replay
 * in an iteration that did not capture reads that iteration's X̂: stale images would change every
 * later bit. With reuse, steps A and B are captured too ({@link SgdGraphs}: the real batch and its
 * labels, the refinement's fixed X̂ and counts, gradients in fixed buffers), so the same bits cover
 * every weight and batch-norm buffer they update.
 */
class ReusedGraphRefinementTest {
    /** Captures, replays and eager steps of the last run. */
    static int[] counts;

    /** Captures, replays and eager runs of the last run's step A, step B and update graphs. */
    static int[][] sgd;

    /** The graph keys of the last reused run. */
    static List<String> keys;

    /** Iterations 0..iterations−1, then one more refinement: weights, buffers, the last X̂. */
    static Map<String, float[]> run(
            String dataset,
            ContinualData data,
            Map<String, String> options,
            String graphs,
            int iterations) {
        String old = System.getProperty("arm.graphs");
        System.setProperty("arm.graphs", graphs);
        try (FakeDevice fake = FakeDevice.install()) {
            Map<String, String> o = new LinkedHashMap<>(options);
            String method = o.getOrDefault("method", "ARM");
            o.remove("method");
            o.put("recall_from_t", "0");
            o.put("device", "cuda");
            o.put("S", "3");
            Stepper run = Stepper.create(Methods.create(method, dataset, o), data, 42);
            for (int t = 0; t < iterations; t++) run.train(t);
            RecallMethod.RecallLearner l = (RecallMethod.RecallLearner) run.learner();
            // ADI recalls past classes: the last refinement on a batch of the second task (8 a
            // task)
            int at = method.equals("ADI") ? iterations - 1 : 1;
            ContinualMethod.Batch b =
                    ContinualMethod.batch(data, at, at + 1, run.seen(), Device.CUDA);
            float[] xhat = l.recallOnly(b).xhat().toArray();
            Map<String, float[]> out = new LinkedHashMap<>();
            state("f_cur.", l.fCur, out);
            state("f_old.", l.fOld, out);
            out.put("xhat", xhat);
            if (l.graphs != null) {
                assertThat(l.graphs.fallback()).isNull();
                counts = new int[] {l.graphs.captures(), l.graphs.replays(), l.graphs.eagerRuns()};
                keys = List.copyOf(l.graphKeys);
            } else counts = null;
            sgd = null;
            if (l.sgd != null) {
                sgd = new int[3][];
                int i = 0;
                for (CapturedStep cs :
                        new CapturedStep[] {l.sgd.stepA, l.sgd.stepB, l.sgd.update}) {
                    assertThat(cs.fallback()).isNull();
                    sgd[i++] = new int[] {cs.captures(), cs.replays(), cs.eagerRuns()};
                }
            }
            return out;
        } finally {
            if (old == null) System.clearProperty("arm.graphs");
            else System.setProperty("arm.graphs", old);
        }
    }

    private static void state(String prefix, Module m, Map<String, float[]> out) {
        m.namedParameters().forEach((n, p) -> out.put(prefix + n, p.value().toArray()));
        m.namedBuffers().forEach((n, t) -> out.put(prefix + n, t.toArray()));
    }

    /** Eager, per refinement and reused: the same bits; returns {per refinement, reused} counts. */
    static int[][] sameBits(
            String dataset, ContinualData data, Map<String, String> options, int iterations) {
        Map<String, float[]> eager = run(dataset, data, options, "false", iterations);
        Map<String, float[]> each = run(dataset, data, options, "true", iterations);
        int[] eachCounts = counts;
        Map<String, float[]> reused = run(dataset, data, options, "reuse", iterations);
        int[] reusedCounts = counts;
        for (Map<String, float[]> m : List.of(each, reused)) {
            assertThat(m.keySet()).isEqualTo(eager.keySet());
            eager.forEach((k, v) -> assertThat(m.get(k)).as(k).containsExactly(v));
        }
        return new int[][] {eachCounts, reusedCounts};
    }

    @Test
    void mlpGraphIsReusedAcrossIterations() {
        int[][] c = sameBits("mnist", SyntheticData.mnistShaped(1), Map.of("mlp_hidden", "16"), 5);
        // 6 refinements of 3 steps; captured per refinement: each warms up, captures, replays
        assertThat(c[0]).containsExactly(6, 6, 6);
        // reused: one graph for all 6, though the class set changes (the mask is a fixed input)
        assertThat(c[1]).containsExactly(1, 16, 1);
        assertThat(keys).hasSize(1);
        // steps A and B (5 each) and their shared update (10): one warm-up, one capture, replays
        assertThat(sgd).isDeepEqualTo(new int[][] {{1, 3, 1}, {1, 3, 1}, {1, 8, 1}});
    }

    @Test
    void replicatedResNetGraphIsReusedAcrossIterations() {
        int[][] c =
                sameBits(
                        "cifar10",
                        SyntheticData.cifarShaped(1),
                        Map.of("resnet_nf", "4", "M", "20", "dedup", "off"),
                        4);
        assertThat(c[0]).containsExactly(5, 5, 5);
        // no counts, as many classes each time: one warm-up, one capture, then replays
        assertThat(c[1]).containsExactly(1, 13, 1);
        assertThat(sgd).isDeepEqualTo(new int[][] {{1, 2, 1}, {1, 2, 1}, {1, 6, 1}});
    }

    /**
     * Dedup on: the counts differ in every refinement (fixed inputs, read anew by the replays);
     * where U, the number of distinct images, changes, the graph is captured anew.
     */
    @Test
    void dedupResNetGraphIsReusedAndCapturedAnewWhereUChanges() {
        int[][] c =
                sameBits(
                        "cifar10",
                        SyntheticData.cifarShaped(1),
                        Map.of("resnet_nf", "4", "M", "20"),
                        4);
        assertThat(c[0]).containsExactly(5, 5, 5);
        assertThat(c[1]).containsExactly(2, 11, 2);
        // two keys, the shapes [U, 3, 32, 32] differing in U
        assertThat(keys).hasSize(2);
        assertThat(keys.get(0).replaceFirst("\\[\\d+,", "[U,"))
                .isEqualTo(keys.get(1).replaceFirst("\\[\\d+,", "[U,"));
        assertThat(keys.get(0)).isNotEqualTo(keys.get(1));
        // step B is keyed by the refinement's buffers: U = 9 once (eager), then U = 8 warmed,
        // captured and replayed
        assertThat(sgd).isDeepEqualTo(new int[][] {{1, 2, 1}, {1, 1, 2}, {1, 6, 1}});
    }

    /**
     * Dedup on over more iterations: U comes back to values seen before (keys A, B, A, ...), and
     * each key's graph, held with its buffers in a cache of up to four, is replayed instead of
     * captured anew: one warm-up and one capture per distinct key, every other step a replay, the
     * same bits as eager steps.
     */
    @Test
    void dedupResNetReplaysTheGraphOfAUSeenBefore() {
        int iterations = 7, refinements = iterations + 1;
        int[][] c =
                sameBits(
                        "cifar10",
                        SyntheticData.cifarShaped(1),
                        Map.of("resnet_nf", "4", "M", "20"),
                        iterations);
        int distinct = new java.util.HashSet<>(keys).size();
        // the key changes more often than there are keys: some U came back
        assertThat(keys.size()).isGreaterThan(distinct);
        assertThat(distinct).isBetween(2, RecallMethod.RecallLearner.GRAPHS);
        assertThat(c[1]).containsExactly(distinct, 3 * refinements - 2 * distinct, distinct);
        // step B per refinement key too (U = 9, 8, 9, 8...: each warmed, captured at its second
        // run, then replayed); step A has one key
        assertThat(sgd[0]).containsExactly(1, iterations - 2, 1);
        assertThat(sgd[1][0]).isEqualTo(distinct);
        assertThat(sgd[1][2]).isEqualTo(distinct);
        assertThat(sgd[1][1]).isEqualTo(iterations - 2 * distinct);
        assertThat(sgd[2]).containsExactly(1, 2 * iterations - 2, 1);
    }

    /**
     * ADI on the MLP over 11 iterations (steps A only until a past class can be recalled): step A
     * replays across tasks, step B runs on the fixed X̂ of ADI's buffers (keyed by the shape, not
     * by the chosen classes, which only its refinement reads), the same bits as eager.
     */
    @Test
    void adiStepsAreCapturedAndReplayed() {
        sameBits(
                "mnist",
                SyntheticData.mnistShaped(1),
                Map.of("mlp_hidden", "16", "method", "ADI"),
                11);
        assertThat(sgd[0]).containsExactly(1, 9, 1);
        // step B from the first iteration with a past class to recall (9 of the 11)
        assertThat(sgd[1]).containsExactly(1, 7, 1);
        assertThat(sgd[2]).containsExactly(1, 18, 1);
    }

    /**
     * A logged iteration between reused ones: its steps add R to the log's device scalars, so its
     * graph is its own (captured anew, dropped after it); the weights equal eager steps' bits and
     * the logged means eager's up to float summation.
     */
    @Test
    void aLoggedIterationGetsAGraphOfItsOwn() {
        List<float[]> eager = CapturedRefinementTest.profiledAndLogged("false"),
                reused = CapturedRefinementTest.profiledAndLogged("reuse");
        int n = eager.size() - 1;
        for (int i = 0; i < n; i++) assertThat(reused.get(i)).containsExactly(eager.get(i));
        float[] e = eager.get(n), r = reused.get(n);
        assertThat(r[LossLog.RECALL]).isCloseTo(e[LossLog.RECALL], within(1e-5f));
        assertThat(CapturedRefinementTest.lastKeys).hasSize(3);
    }
}

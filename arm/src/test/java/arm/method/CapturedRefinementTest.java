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
import arm.tensor.Profile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Refinement steps through CapturedStep ({@code -Darm.graphs=true}) on the fake device, which
 * records a captured step's calls and replays them on the same tensors: with the finite checks
 * deferred to one read after the S steps, a step waits for the host nowhere, so it is captured once
 * per refinement and replayed, and the run equals the plain one bit for bit. For ResNet18 that
 * includes every BatchNorm's running statistics and num_batches_tracked (host work declared as an
 * effect of every run) and the stem's cumulative-average factor (a device scalar written before
 * each launch).
 */
class CapturedRefinementTest {
    /**
     * Two iterations, then one more refinement ({@code recallOnly}): f_cur's and f_old's parameters
     * and buffers, and the last X̂.
     */
    static Map<String, float[]> run(
            String dataset, ContinualData data, Map<String, String> options, boolean graphs) {
        return run("ARM", dataset, data, options, graphs);
    }

    /**
     * The same for {@code method}; ADI trains its second iteration on task 1's first batch (8
     * batches a task), where it has past classes to recall.
     */
    static Map<String, float[]> run(
            String method,
            String dataset,
            ContinualData data,
            Map<String, String> options,
            boolean graphs) {
        String old = System.getProperty("arm.graphs");
        System.setProperty("arm.graphs", Boolean.toString(graphs));
        try (FakeDevice fake = FakeDevice.install()) {
            Map<String, String> o = new LinkedHashMap<>(options);
            o.put("recall_from_t", "0");
            o.put("device", "cuda");
            o.put("S", "3");
            Stepper run = Stepper.create(Methods.create(method, dataset, o), data, 42);
            int second = method.equals("ADI") ? 8 : 1;
            run.train(0);
            run.train(second);
            RecallMethod.RecallLearner l = (RecallMethod.RecallLearner) run.learner();
            ContinualMethod.Batch b =
                    ContinualMethod.batch(data, second, second + 1, run.seen(), Device.CUDA);
            float[] xhat = l.recallOnly(b).xhat().toArray();
            Map<String, float[]> out = new LinkedHashMap<>();
            state("f_cur.", l.fCur, out);
            state("f_old.", l.fOld, out);
            out.put("xhat", xhat);
            if (graphs) {
                assertThat(l.graphs).isNotNull();
                assertThat(l.graphs.fallback()).isNull();
                // per refinement (a new X̂): step 0 warms up, step 1 is captured and launched,
                // step 2 replays the graph
                int refinements = method.equals("ADI") ? 2 : 3;
                assertThat(l.graphs.eagerRuns()).isEqualTo(refinements);
                assertThat(l.graphs.captures()).isEqualTo(refinements);
                assertThat(l.graphs.replays()).isEqualTo(refinements);
            } else {
                assertThat(l.graphs).isNull();
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

    static Map<String, float[]> sameBits(
            String dataset, ContinualData data, Map<String, String> options) {
        return sameBits("ARM", dataset, data, options);
    }

    static Map<String, float[]> sameBits(
            String method, String dataset, ContinualData data, Map<String, String> options) {
        Map<String, float[]> plain = run(method, dataset, data, options, false),
                captured = run(method, dataset, data, options, true);
        assertThat(captured.keySet()).isEqualTo(plain.keySet());
        plain.forEach((k, v) -> assertThat(captured.get(k)).as(k).containsExactly(v));
        return plain;
    }

    @Test
    void capturedAndReplayedRefinementGivesTheSameBits() {
        sameBits("mnist", SyntheticData.mnistShaped(1), Map.of("mlp_hidden", "16"));
    }

    /**
     * ResNet18 (nf = 4, M = 20, dedup on: counted batch norms): X̂, weights, running statistics and
     * num_batches_tracked of every BatchNorm, in f_cur and f_old.
     */
    @Test
    void resNetRefinementCapturedAndReplayedGivesTheSameBits() {
        Map<String, float[]> bits =
                sameBits(
                        "cifar10",
                        SyntheticData.cifarShaped(1),
                        Map.of("resnet_nf", "4", "M", "20"));
        int counters = 0;
        for (var e : bits.entrySet())
            if (e.getKey().endsWith("num_batches_tracked")) {
                counters++;
                assertThat(e.getValue()[0]).as(e.getKey()).isGreaterThan(3);
            }
        assertThat(counters).isEqualTo(2 * 20); // ResNet18's BatchNorms, f_cur and f_old
    }

    /**
     * What runs around the steps in the GPU benchmarks and in logged runs: a profile sink
     * (GpuAcceptance profile) and a logged iteration (its R values summed on the device inside
     * captured steps, read when the log stops) leave capture working, training's bits unchanged and
     * the logged means those of eager steps up to float summation. Returns {weights..., the logged
     * row}.
     */
    static List<float[]> profiledAndLogged(boolean graphs) {
        return profiledAndLogged(Boolean.toString(graphs));
    }

    /** The graph keys of the last reused run of {@link #profiledAndLogged}. */
    static List<String> lastKeys;

    /** The same with {@code -Darm.graphs=mode} (false, true or reuse). */
    static List<float[]> profiledAndLogged(String mode) {
        boolean graphs = mode.equals("true");
        String old = System.getProperty("arm.graphs");
        System.setProperty("arm.graphs", mode);
        Profile.Recorder rec = new Profile.Recorder(Profile.WALL, null);
        Profile.Sink before = Profile.install(rec);
        try (FakeDevice fake = FakeDevice.install()) {
            Map<String, String> o =
                    Map.of(
                            "recall_from_t",
                            "0",
                            "device",
                            "cuda",
                            "S",
                            "3",
                            "resnet_nf",
                            "4",
                            "M",
                            "20");
            Stepper run =
                    Stepper.create(
                            Methods.create("ARM", "cifar10", o), SyntheticData.cifarShaped(1), 42);
            run.train(0);
            LossLog log = new LossLog();
            run.train(1, log);
            run.train(2);
            RecallMethod.RecallLearner l = (RecallMethod.RecallLearner) run.learner();
            lastKeys = List.copyOf(l.graphKeys);
            if (graphs) {
                assertThat(l.graphs.fallback()).isNull();
                assertThat(l.graphs.captures()).isEqualTo(3);
                assertThat(l.graphs.eagerRuns()).isEqualTo(3);
                assertThat(l.graphs.replays()).isEqualTo(3);
                assertThat(rec.phases()).containsKeys(CapturedStep.REPLAY, "forward", "step B");
                assertThat(rec.phases().get(CapturedStep.REPLAY).calls()).isEqualTo(6);
            }
            List<float[]> out = new ArrayList<>();
            run.model().namedParameters().values().forEach(p -> out.add(p.value().toArray()));
            double[] row = log.values();
            float[] logged = new float[row.length];
            for (int i = 0; i < row.length; i++) logged[i] = (float) row[i];
            out.add(logged);
            return out;
        } finally {
            Profile.install(before);
            if (old == null) System.clearProperty("arm.graphs");
            else System.setProperty("arm.graphs", old);
        }
    }

    @Test
    void profiledAndLoggedIterationsAreCaptured() {
        List<float[]> eager = profiledAndLogged(false), captured = profiledAndLogged(true);
        int n = eager.size() - 1;
        for (int i = 0; i < n; i++) assertThat(captured.get(i)).containsExactly(eager.get(i));
        float[] e = eager.get(n), c = captured.get(n);
        assertThat(e[LossLog.RECALL]).isFinite();
        for (int k = 0; k < e.length; k++)
            if (Float.isNaN(e[k])) assertThat(c[k]).as(LossLog.COLUMNS.get(k)).isNaN();
            else
                assertThat(c[k])
                        .as(LossLog.COLUMNS.get(k))
                        .isCloseTo(e[k], within(1e-5f * Math.max(1f, Math.abs(e[k]))));
    }

    /** ADI on ResNet18: the batch-statistics term reads the running statistics inside the step. */
    @Test
    void adiResNetRefinementCapturedAndReplayedGivesTheSameBits() {
        sameBits(
                "ADI",
                "cifar10",
                SyntheticData.cifarShaped(1),
                Map.of("resnet_nf", "4", "M", "20", "w_bs", "0.1"));
    }

    /** The same with X̂ stored replicated (dedup off: plain batch norms, no counts). */
    @Test
    void replicatedResNetRefinementCapturedAndReplayedGivesTheSameBits() {
        sameBits(
                "cifar10",
                SyntheticData.cifarShaped(1),
                Map.of("resnet_nf", "4", "M", "20", "dedup", "off"));
    }
}

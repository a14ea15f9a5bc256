package arm.method;

import static org.assertj.core.api.Assertions.assertThat;

import arm.autograd.FakeDevice;
import arm.data.SyntheticData;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Refinement steps through CapturedStep ({@code -Darm.graphs=true}) on the fake device, which
 * records a captured step's calls and replays them on the same tensors: with the finite checks
 * deferred to one read after the S steps, a step waits for the host nowhere, so it is captured once
 * per iteration and replayed, and the run equals the plain one bit for bit.
 */
class CapturedRefinementTest {
    static Map<String, float[]> twoIterations(boolean graphs) {
        String old = System.getProperty("arm.graphs");
        System.setProperty("arm.graphs", Boolean.toString(graphs));
        try (FakeDevice fake = FakeDevice.install()) {
            Stepper run =
                    Stepper.create(
                            Methods.create(
                                    "ARM",
                                    "mnist",
                                    Map.of(
                                            "recall_from_t",
                                            "0",
                                            "device",
                                            "cuda",
                                            "mlp_hidden",
                                            "16",
                                            "S",
                                            "3")),
                            SyntheticData.mnistShaped(1),
                            42);
            run.train(0);
            run.train(1);
            Map<String, float[]> out = new LinkedHashMap<>();
            run.model().namedParameters().forEach((n, p) -> out.put(n, p.value().toArray()));
            RecallMethod.RecallLearner l = (RecallMethod.RecallLearner) run.learner();
            if (graphs) {
                assertThat(l.graphs).isNotNull();
                assertThat(l.graphs.fallback()).isNull();
                assertThat(l.graphs.eagerRuns())
                        .isEqualTo(2); // per iteration (a new X̂): step 0 warms up,
                assertThat(l.graphs.captures()).isEqualTo(2); // step 1 is captured and launched,
                assertThat(l.graphs.replays()).isEqualTo(2); // step 2 replays the graph
            } else {
                assertThat(l.graphs).isNull();
            }
            return out;
        } finally {
            if (old == null) System.clearProperty("arm.graphs");
            else System.setProperty("arm.graphs", old);
        }
    }

    @Test
    void capturedAndReplayedRefinementGivesTheSameBits() {
        Map<String, float[]> plain = twoIterations(false), captured = twoIterations(true);
        assertThat(captured.keySet()).isEqualTo(plain.keySet());
        plain.forEach((k, v) -> assertThat(captured.get(k)).as(k).containsExactly(v));
    }
}

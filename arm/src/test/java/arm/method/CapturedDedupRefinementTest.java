package arm.method;

import static org.assertj.core.api.Assertions.assertThat;

import arm.autograd.FakeDevice;
import arm.data.SyntheticData;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The CIFAR ResNet's refinement with dedup on (M = 100 copies of N = 10 images, stored distinct)
 * waits for the host nowhere inside a step: on the fake device, which fails a capture that uploads,
 * downloads or syncs, every iteration's steps are captured once and replayed.
 */
class CapturedDedupRefinementTest {
    @Test
    void dedupRefinementStepsAreCapturedAndReplayed() {
        String old = System.getProperty("arm.graphs");
        System.setProperty("arm.graphs", "true");
        try (FakeDevice fake = FakeDevice.install()) {
            Map<String, String> o =
                    Map.of(
                            "recall_from_t", "0",
                            "device", "cuda",
                            "resnet_nf", "4",
                            "M", "100",
                            "S", "3");
            Stepper run =
                    Stepper.create(
                            Methods.create("ARM", "cifar10", o), SyntheticData.cifarShaped(1), 42);
            run.train(0);
            run.train(1);
            RecallMethod.RecallLearner l = (RecallMethod.RecallLearner) run.learner();
            assertThat(l.graphs.fallback()).isNull();
            assertThat(l.graphs.eagerRuns()).isEqualTo(2); // per iteration: step 0 warms up,
            assertThat(l.graphs.captures()).isEqualTo(2); // step 1 is captured and launched,
            assertThat(l.graphs.replays()).isEqualTo(2); // step 2 replays it
        } finally {
            if (old == null) System.clearProperty("arm.graphs");
            else System.setProperty("arm.graphs", old);
        }
    }
}

package arm.run;

import static org.assertj.core.api.Assertions.assertThat;

import arm.data.SyntheticData;
import arm.method.Method;
import arm.method.Methods;
import arm.method.Stepper;
import arm.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The warm-up thread never changes a run: the same bits with and without it beside the run. */
class WarmupTest {

    @Test
    void aRunBesideTheWarmupEndsOnTheSameBits() {
        Method arm = Methods.create("ARM", Map.of());
        List<float[]> alone = train(arm);
        List<float[]> beside;
        try (Warmup w = Warmup.start(arm, 1_000)) {
            beside = train(arm);
        }
        assertThat(beside).hasSameSizeAs(alone);
        for (int i = 0; i < alone.size(); i++) assertThat(beside.get(i)).isEqualTo(alone.get(i));
    }

    @Test
    void stopsWhenClosedAndDoesNothingWithZeroIterations() {
        Method arm = Methods.create("ARM", Map.of());
        Warmup.start(arm, Integer.MAX_VALUE).close(); // returns: stop ends the loop
        Warmup.start(arm, 0).close();
        Warmup.none().close();
        Warmup.stopEarly(); // none started (-Darm.warmup unset): returns at once
    }

    /**
     * 8 iterations (the last four recalling) on MNIST-shaped random data; the parameters after
     * them.
     */
    private static List<float[]> train(Method m) {
        Stepper s = Stepper.create(m, SyntheticData.mnistShaped(7), 3);
        for (int t = 0; t < 8; t++) s.train(t);
        List<float[]> out = new ArrayList<>();
        for (Parameter p : s.model().namedParameters().values()) out.add(p.value().toArray());
        return out;
    }
}

package arm.nn;

import static org.assertj.core.api.Assertions.assertThat;

import arm.autograd.FakeDevice;
import arm.autograd.Var;
import arm.tensor.Backend;
import arm.tensor.Backends;
import arm.tensor.CapturedStep;
import arm.tensor.Device;
import arm.tensor.Scope;
import arm.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Training-mode BatchNorm inside a step captured as a graph (on the fake device, which replays the
 * recorded calls on the same tensors): each layer applied twice per step, the cumulative average
 * (momentum None, its factor in a device scalar per call) and momentum 0.1. The counters, the
 * running statistics and the outputs of every run equal those of eager runs bit for bit.
 */
class CapturedBatchNormTest {
    static final int RUNS = 5, C = 3;

    /** {running means, running vars, counters, outputs} after RUNS steps. */
    static List<float[]> steps(boolean captured) {
        try (FakeDevice fake = FakeDevice.install()) {
            BatchNorm2d cumulative = new BatchNorm2d(C, null), fixed = new BatchNorm2d(C);
            cumulative.to(Device.CUDA);
            fixed.to(Device.CUDA);
            Backend be = Backends.get(Device.CUDA);
            float[] host = new float[4 * C * 5 * 5];
            SplittableRandom r = new SplittableRandom(7);
            for (int i = 0; i < host.length; i++) host[i] = (float) r.nextGaussian();
            // y outlives the steps: a replay writes into the tensors of the captured run
            Tensor x = be.upload(host, 4, C, 5, 5), y = be.zeros(host.length);
            List<float[]> outputs = new ArrayList<>();
            try (CapturedStep graphs = new CapturedStep(be)) {
                for (int run = 0; run < RUNS; run++) {
                    Runnable step =
                            () -> {
                                try (Scope sc = Scope.recycling()) {
                                    Var h = Var.constant(x);
                                    h = cumulative.forward(cumulative.forward(h));
                                    h = fixed.forwardRelu(fixed.forward(h));
                                    be.copy(h.value, y);
                                }
                            };
                    if (captured) graphs.run("one shape", step);
                    else step.run();
                    outputs.add(y.toArray());
                }
                if (captured) {
                    assertThat(graphs.fallback()).isNull();
                    assertThat(graphs.eagerRuns()).isEqualTo(1);
                    assertThat(graphs.captures()).isEqualTo(1);
                    assertThat(graphs.replays()).isEqualTo(RUNS - 2);
                }
            }
            List<float[]> all = new ArrayList<>();
            for (BatchNorm2d bn : List.of(cumulative, fixed)) {
                all.add(bn.runningMean.toArray());
                all.add(bn.runningVar.toArray());
                all.add(bn.numBatchesTracked.toArray());
            }
            all.addAll(outputs);
            return all;
        }
    }

    @Test
    void layersAppliedTwicePerCapturedStepMatchEagerSteps() {
        List<float[]> eager = steps(false), captured = steps(true);
        assertThat(eager.get(2)).containsExactly(2f * RUNS); // two forwards a step
        assertThat(eager.get(5)).containsExactly(2f * RUNS);
        assertThat(captured).hasSameSizeAs(eager);
        for (int i = 0; i < eager.size(); i++)
            assertThat(captured.get(i)).as("item " + i).containsExactly(eager.get(i));
    }
}

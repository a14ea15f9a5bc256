package arm.method;

import static org.assertj.core.api.Assertions.assertThat;

import arm.data.ContinualData;
import arm.data.SyntheticData;
import arm.kernels.cpu.CpuThreads;
import arm.metrics.EvalPoint;
import arm.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Naive and Distill on ResNet18 (nf = 20, N = 10) give the same bits with every kernel serial (one
 * thread) and with the kernels split over all cores: the weights, BatchNorm buffers and the
 * evaluation after a few steps (the batch-10 convolutions split by images, their weight gradients
 * as partial sums fixed by the shape), and with each step's halves on the caller and the {@link
 * Pair}'s partner thread (the backward's weight gradients beside the rest of the pass, Distill's
 * f_old targets beside f_cur's forward). On a one-core machine the kernels run serially in every
 * run; the partner runs whenever the pair is forced on.
 */
class PlainThreadsTest {
    @Test
    void naiveAndDistillGiveTheSameBitsOnOneThreadAndOnAll() {
        try {
            for (String method : List.of("Naive", "Distill")) {
                List<float[]> one = new ArrayList<>();
                Pair.use(Pair.Mode.OFF);
                CpuThreads.serially(() -> one.addAll(run(method)));
                Pair.use(Pair.Mode.AUTO); // the default: the first step's kernels split, the
                List<float[]> all = run(method); // later steps' halves on two threads
                Pair.use(Pair.Mode.ON); // every step's halves on two threads, even on one core
                List<float[]> paired = run(method);
                for (var other : Map.of("all", all, "paired", paired).entrySet()) {
                    assertThat(other.getValue()).hasSameSizeAs(one);
                    for (int i = 0; i < one.size(); i++)
                        assertThat(other.getValue().get(i))
                                .as(method + " " + other.getKey() + " tensor " + i)
                                .containsExactly(one.get(i));
                }
            }
        } finally {
            Pair.use(Pair.Mode.AUTO);
        }
    }

    /** Every parameter and buffer after 3 steps, then the val and test accuracies per class. */
    private static List<float[]> run(String method) {
        Map<String, String> o = new HashMap<>(Map.of("device", "cpu"));
        if (method.equals("Distill")) o.put("recall_from_t", "1");
        ContinualData data = SyntheticData.cifarShaped(3);
        Stepper s = Stepper.create(Methods.create(method, "cifar10", o), data, 5);
        for (int t = 0; t < 3; t++) s.train(t);
        List<float[]> out = new ArrayList<>();
        s.model().namedParameters().values().forEach(p -> out.add(p.value().toArray()));
        for (Tensor b : s.model().namedBuffers().values()) out.add(b.toArray());
        EvalPoint e = ContinualMethod.evaluate(s.model(), data, 5, s.seenClasses(), 0);
        out.add(floats(e.valPerClass()));
        out.add(floats(e.testPerClass()));
        return out;
    }

    private static float[] floats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
}

package arm.method;

import arm.autograd.Autograd;
import arm.nn.VaeModel;
import arm.run.GeneratedSamples;
import arm.tensor.Tensor;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Records GEN's and GEN-MIR's generated samples for the figures: at the end of every task a copy of
 * the VAE in eval mode (the copy the next task replays from) decodes the same {@link #PER_TASK}
 * prior draws, from a stream of its own, so training draws nothing it would not draw anyway. The
 * samples so far are checkpoint tensors ("gen_samples.task{k}"), so a resumed run records what an
 * unbroken one would.
 */
final class GenSampler {
    /** Samples per task end: one row of the figure. */
    static final int PER_TASK = 16;

    private static final String PREFIX = "gen_samples.task";

    /** Mixed into the learner's base seed for the prior draws. */
    private static final long SALT = 0x67656e73616d70L;

    private final int[] itemShape;
    private final long seed;
    private final TreeMap<Integer, Tensor> byTask = new TreeMap<>();

    GenSampler(int[] itemShape, long base) {
        this.itemShape = itemShape.clone();
        this.seed = base ^ SALT;
    }

    /** Task {@code task} ended with the VAE {@code gen}. */
    void taskEnd(int task, VaeModel gen) {
        VaeModel copy = (VaeModel) gen.copy().eval();
        copy.useGenerator(new SplittableRandom(seed));
        try (var ng = Autograd.noGrad()) {
            float[] x = copy.generate(PER_TASK).value.toArray();
            byTask.put(task, Tensor.of(x, x.length));
        }
    }

    GeneratedSamples result() {
        int[] tasks = byTask.keySet().stream().mapToInt(Integer::intValue).toArray();
        float[][] images = byTask.values().stream().map(Tensor::toArray).toArray(float[][]::new);
        return new GeneratedSamples(itemShape, tasks, images);
    }

    void save(Map<String, Tensor> out) {
        byTask.forEach((k, v) -> out.put(PREFIX + k, v));
    }

    /** The checkpoint's samples (each copied in afterwards by name, as every state tensor is). */
    void restore(Map<String, Tensor> tensors) {
        byTask.clear();
        tensors.forEach(
                (k, v) -> {
                    if (k.startsWith(PREFIX)) byTask.put(task(k), Tensor.zeros(v.shape));
                });
    }

    private static int task(String name) {
        String k = name.substring(PREFIX.length());
        if (!k.matches("[0-9]{1,6}"))
            throw new IllegalArgumentException(
                    "checkpoint tensor " + name + " is not " + PREFIX + "<task>");
        return Integer.parseInt(k);
    }
}

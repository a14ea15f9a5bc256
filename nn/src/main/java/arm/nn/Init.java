package arm.nn;

import arm.tensor.Shape;
import arm.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Seeded weight initialisation. Every random draw of a model comes from one {@link
 * SplittableRandom} handed to its constructor, consumed in parameter registration order, so one
 * seed fixes the whole model (not bit-compatible with PyTorch's generator; ALGORITHM.md §9 D14 says
 * it need not be).
 */
public final class Init {
    private Init() {}

    /** Values i.i.d. U(−bound, bound), drawn in row-major order. */
    public static Tensor uniform(SplittableRandom rng, double bound, int... shape) {
        float[] d = new float[Shape.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        return Tensor.of(d, shape);
    }

    /**
     * PyTorch 1.4's default for Linear/Conv weights and biases (ALGORITHM.md §5.3): U(−1/√fan_in,
     * 1/√fan_in). For weights this is kaiming_uniform_ with a = √5, whose bound gain·√(3/fan_in) =
     * √(2/(1+5))·√(3/fan_in) reduces to 1/√fan_in.
     */
    public static Tensor pytorchDefault(SplittableRandom rng, int fanIn, int... shape) {
        return uniform(rng, 1.0 / Math.sqrt(fanIn), shape);
    }

    /**
     * nn.Linear's reset_parameters on PyTorch's own generator, bit for bit: the weight [out, in] by
     * kaiming_uniform_(a = √5), whose bound √3·√(2/(1 + a²))/√fan_in is computed as torch computes
     * it (a² = 5.000000000000001 in double, so the bound is not exactly 1/√fan_in), then the bias
     * U(−1/√fan_in, 1/√fan_in).
     */
    public static Tensor[] torchLinear(TorchRandom g, int in, int out) {
        double a = Math.sqrt(5.0);
        double bound = Math.sqrt(3.0) * (Math.sqrt(2.0 / (1 + a * a)) / Math.sqrt(in));
        float[] w = new float[out * in], b = new float[out];
        g.uniform(w, -bound, bound);
        double biasBound = 1 / Math.sqrt(in);
        g.uniform(b, -biasBound, biasBound);
        return new Tensor[] {Tensor.of(w, out, in), Tensor.of(b, out)};
    }

    public static Tensor constant(float value, int... shape) {
        float[] d = new float[Shape.numel(shape)];
        Arrays.fill(d, value);
        return Tensor.of(d, shape);
    }
}

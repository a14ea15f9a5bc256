package arm.autograd;

import arm.tensor.Shape;
import arm.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Numerical gradient check in double precision: our float32 backward against central differences of
 * an independent float64 reference forward (PyTorch gradcheck style, eps 1e-6).
 *
 * <p>A non-scalar output y is reduced to L = Σ w·y with fixed random weights w, in both worlds.
 * Small inputs are checked entry by entry; large ones by a random direction ⟨∇L, v⟩ plus a sample
 * of entries. Every input is checked, the data input included.
 */
public final class GradCheck {
    public static final int FULL_CHECK_MAX = 400;
    private static final double EPS = 1e-6;

    private GradCheck() {}

    /** Reference forward: the op in double on flat copies of the inputs, returning flat y. */
    public interface Reference extends Function<double[][], double[]> {}

    public static void check(
            String name, Function<Var[], Var> f32, Reference f64, Tensor... inputs) {
        check(name, f32, f64, 1e-3, inputs);
    }

    /** rtol: relative tolerance on each derivative (float32 backward vs exact derivative). */
    public static void check(
            String name, Function<Var[], Var> f32, Reference f64, double rtol, Tensor... inputs) {
        Var[] vars = new Var[inputs.length];
        for (int i = 0; i < inputs.length; i++) vars[i] = Var.param(inputs[i]);
        Var y = f32.apply(vars);
        SplittableRandom rnd = new SplittableRandom(1234);
        float[] w = new float[y.value.numel()];
        for (int i = 0; i < w.length; i++) w[i] = (float) (rnd.nextDouble() * 2 - 1);
        Var loss =
                y.value.numel() == 1
                        ? F.mul(y, Var.constant(Tensor.of(w, 1)))
                        : F.sum(F.mul(y, Var.constant(Tensor.of(w, y.shape()))));
        Tensor[] grads = Autograd.grad(loss, vars);

        double[][] x64 = new double[inputs.length][];
        for (int i = 0; i < inputs.length; i++) x64[i] = toDouble(inputs[i].toArray());
        double[] w64 = toDouble(w);
        double[] ref = f64.apply(copy(x64));
        if (ref.length != w.length)
            throw new AssertionError(
                    name + ": reference gives " + ref.length + " outputs, ours " + w.length);
        double[] ours = toDouble(y.value.toArray());
        for (int i = 0;
                i < ref.length;
                i++) // the forwards must agree before gradients mean anything
        if (Math.abs(ref[i] - ours[i]) > 1e-4 * (1 + Math.abs(ref[i])))
                throw new AssertionError(
                        name
                                + ": forward differs at "
                                + i
                                + ": ours "
                                + ours[i]
                                + ", ref "
                                + ref[i]);

        for (int i = 0; i < inputs.length; i++) {
            double[] g = toDouble(grads[i].toArray());
            int n = g.length;
            if (n <= FULL_CHECK_MAX) {
                double[] num = new double[n];
                for (int j = 0; j < n; j++) num[j] = partial(f64, x64, w64, i, j);
                compare(name, i, g, num, rtol, null);
            } else {
                int[] sample = rnd.ints(64, 0, n).toArray();
                double[] num = new double[sample.length], ana = new double[sample.length];
                for (int s = 0; s < sample.length; s++) {
                    num[s] = partial(f64, x64, w64, i, sample[s]);
                    ana[s] = g[sample[s]];
                }
                compare(name, i, ana, num, rtol, sample);
                directional(name, f64, x64, w64, i, g, rtol, rnd);
            }
        }
    }

    private static double partial(Reference f, double[][] x, double[] w, int i, int j) {
        double keep = x[i][j];
        x[i][j] = keep + EPS;
        double up = dot(f.apply(copy(x)), w);
        x[i][j] = keep - EPS;
        double down = dot(f.apply(copy(x)), w);
        x[i][j] = keep;
        return (up - down) / (2 * EPS);
    }

    private static void directional(
            String name,
            Reference f,
            double[][] x,
            double[] w,
            int i,
            double[] g,
            double rtol,
            SplittableRandom rnd) {
        double[] v = new double[g.length];
        for (int j = 0; j < v.length; j++) v[j] = rnd.nextDouble() * 2 - 1;
        double[][] up = copy(x), down = copy(x);
        for (int j = 0; j < v.length; j++) {
            up[i][j] += EPS * v[j];
            down[i][j] -= EPS * v[j];
        }
        double num = (dot(f.apply(up), w) - dot(f.apply(down), w)) / (2 * EPS);
        double ana = dot(g, v);
        double scale = Math.sqrt(dot(g, g)) * Math.sqrt(v.length) + 1e-6;
        if (Math.abs(num - ana) > rtol * Math.abs(num) + 1e-4 * scale)
            throw new AssertionError(
                    name
                            + ": input "
                            + i
                            + " directional derivative ours "
                            + ana
                            + ", numeric "
                            + num);
    }

    private static void compare(
            String name, int input, double[] ana, double[] num, double rtol, int[] at) {
        double scale = 0;
        for (double d : num) scale = Math.max(scale, Math.abs(d));
        double atol = 1e-3 * Math.max(scale, 1e-3);
        for (int j = 0; j < num.length; j++)
            if (!(Math.abs(ana[j] - num[j]) <= atol + rtol * Math.abs(num[j])))
                throw new AssertionError(
                        String.format(
                                "%s: d/d input %d [%d]: ours %.8g, numeric %.8g (atol %.2g, rtol"
                                        + " %.2g)",
                                name, input, at == null ? j : at[j], ana[j], num[j], atol, rtol));
    }

    // ------------------------------------------------------------ helpers for tests

    /** Uniform values in [lo, hi), seeded. */
    public static Tensor rand(long seed, double lo, double hi, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] d = new float[Shape.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return Tensor.of(d, shape);
    }

    /** Uniform values in [-1, 1) kept at least 0.05 away from 0 (no ReLU kinks). */
    public static Tensor randAwayFromZero(long seed, int... shape) {
        Tensor t = rand(seed, -1, 1, shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++)
            if (Math.abs(d[i]) < 0.05f) d[i] = d[i] < 0 ? -0.05f - d[i] : 0.05f + d[i];
        return t;
    }

    public static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    public static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static double[][] copy(double[][] x) {
        double[][] c = new double[x.length][];
        for (int i = 0; i < x.length; i++) c[i] = Arrays.copyOf(x[i], x[i].length);
        return c;
    }
}

package arm.autograd;

import static arm.autograd.GradCheck.rand;
import static org.assertj.core.api.Assertions.assertThat;

import arm.tensor.Binary;
import arm.tensor.Shape;
import arm.tensor.Tensor;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoublePredicate;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** Gradient checks of the broadcasting binary ops and every unary op, for every input. */
class ElementwiseGradTest {

    /**
     * (a shape, b shape) pairs: same shape, row bias both ways, outer product, scalar, rank 3 vs 2.
     */
    static final int[][][] PATTERNS = {
        {{2, 3}, {2, 3}},
        {{4, 3}, {3}},
        {{3}, {4, 3}},
        {{4, 1}, {1, 5}},
        {{2, 3}, {1}},
        {{1}, {2, 3}},
        {{2, 3, 4}, {3, 1}},
        {{3, 1}, {2, 3, 4}},
    };

    @Test
    void binaryOpsUnderBroadcasting() {
        int seed = 10;
        for (Binary op : Binary.values())
            for (int[][] p : PATTERNS) {
                Tensor a = rand(seed++, -1, 1, p[0]);
                // denominators kept in [0.5, 2] so 1/b stays tame; other ops get signed b
                Tensor b =
                        op == Binary.DIV ? rand(seed++, 0.5, 2, p[1]) : rand(seed++, -1, 1, p[1]);
                int[] out = Shape.broadcast(p[0], p[1]);
                DoubleBinaryOperator f =
                        switch (op) {
                            case ADD -> (x, y) -> x + y;
                            case SUB -> (x, y) -> x - y;
                            case MUL -> (x, y) -> x * y;
                            case DIV -> (x, y) -> x / y;
                        };
                GradCheck.check(
                        op + " " + Shape.str(p[0]) + " " + Shape.str(p[1]),
                        v ->
                                switch (op) {
                                    case ADD -> F.add(v[0], v[1]);
                                    case SUB -> F.sub(v[0], v[1]);
                                    case MUL -> F.mul(v[0], v[1]);
                                    case DIV -> F.div(v[0], v[1]);
                                },
                        x -> Ref64.broadcast(x[0], p[0], x[1], p[1], out, f),
                        a,
                        b);
            }
    }

    @Test
    void sameInputOnBothSides() { // a·a and a/a: both gradient paths land on one var
        Tensor a = rand(1, 0.5, 2, 3, 4);
        GradCheck.check("a*a", v -> F.mul(v[0], v[0]), x -> map(x[0], t -> t * t), a);
        GradCheck.check("a-a+a", v -> F.add(F.sub(v[0], v[0]), v[0]), x -> x[0].clone(), a);
    }

    @Test
    void neg() {
        unary("neg", F::neg, t -> -t, rand(20, -1, 1, 3, 4));
    }

    @Test
    void exp() {
        unary("exp", F::exp, Math::exp, rand(21, -2, 2, 3, 4));
    }

    @Test
    void log() {
        unary("log", F::log, Math::log, rand(22, 0.2, 3, 3, 4));
    }

    @Test
    void sqrt() {
        unary("sqrt", F::sqrt, Math::sqrt, rand(23, 0.2, 3, 3, 4));
    }

    @Test
    void powNonIntegerExponents() {
        for (float p : new float[] {1.7f, -0.5f, 2f})
            unary("pow " + p, x -> F.pow(x, p), t -> Math.pow(t, p), rand(24, 0.3, 2, 3, 4));
    }

    @Test
    void reluAwayFromZero() {
        Tensor x = GradCheck.randAwayFromZero(25, 4, 5);
        assertThat(any(x, v -> v < 0) && any(x, v -> v > 0)).isTrue();
        unary("relu", F::relu, t -> Math.max(t, 0), x);
    }

    @Test
    void clampMinBothSidesOfTheThreshold() {
        float eps = 0.1f;
        Tensor x = rand(26, -1, 1, 4, 5);
        float[] d = x.data();
        for (int i = 0; i < d.length; i++) // keep every entry 0.05 away from the kink at eps
        if (Math.abs(d[i] - eps) < 0.05f)
                d[i] = d[i] < eps ? eps - 0.05f - (eps - d[i]) : eps + 0.05f + (d[i] - eps);
        assertThat(any(x, v -> v < eps) && any(x, v -> v > eps)).isTrue();
        unary("clamp_min", v -> F.clampMin(v, eps), t -> Math.max(t, eps), x);
    }

    @Test
    void sigmoidBothSigns() {
        unary("sigmoid", F::sigmoid, t -> 1 / (1 + Math.exp(-t)), rand(31, -4, 4, 4, 5));
    }

    @Test
    void softplusBelowAndAboveTheThreshold() {
        unary("softplus", F::softplus, t -> Math.log1p(Math.exp(t)), rand(32, -5, 5, 4, 5));
        // above 20 softplus is the identity (torch's threshold): value and gradient 1
        Tensor big = rand(33, 21, 30, 2, 3);
        unary("softplus > 20", F::softplus, t -> t, big);
    }

    @Test
    void clampMaxBothSidesOfTheThreshold() {
        float hi = 0.2f;
        Tensor x = awayFrom(rand(34, -1, 1, 4, 5), hi);
        assertThat(any(x, v -> v < hi) && any(x, v -> v > hi)).isTrue();
        unary("clamp_max", v -> F.clampMax(v, hi), t -> Math.min(t, hi), x);
    }

    @Test
    void clampKeepsTheMiddle() {
        Tensor x = awayFrom(awayFrom(rand(35, -1, 1, 5, 6), -0.3f), 0.4f);
        assertThat(any(x, v -> v < -0.3) && any(x, v -> v > 0.4)).isTrue();
        unary("clamp", v -> F.clamp(v, -0.3f, 0.4f), t -> Math.max(-0.3, Math.min(t, 0.4)), x);
    }

    @Test
    void bernoulliNllInProbabilitiesAndTargets() {
        Tensor p = rand(36, 0.05, 0.95, 3, 7), x = rand(37, 0, 1, 3, 7);
        GradCheck.check(
                "bernoulli_nll",
                v -> F.bernoulliNll(v[0], v[1], 1e-6f),
                in -> {
                    double s = 0;
                    for (int i = 0; i < in[0].length; i++)
                        s -=
                                in[1][i] * Math.log(in[0][i])
                                        + (1 - in[1][i]) * Math.log(1 - in[0][i]);
                    return new double[] {s};
                },
                p,
                x);
    }

    @Test
    void bernoulliNllClampsProbabilities() { // p = 0 and 1 read as ε and 1 − ε, with no gradient
        Var p = Var.param(Tensor.of(new float[] {0f, 1f}, 2));
        Var x = Var.constant(Tensor.of(new float[] {1f, 0f}, 2));
        Var nll = F.bernoulliNll(p, x, 1e-6f);
        assertThat((double) nll.value.toArray()[0])
                .isCloseTo(-2 * Math.log(1e-6), Offset.offset(0.05));
        Autograd.backward(nll);
        for (float g : p.grad.toArray()) assertThat(Math.abs(g)).isEqualTo(0f);
    }

    /** x with every entry moved at least 0.05 away from the kink at k. */
    private static Tensor awayFrom(Tensor x, float k) {
        float[] d = x.data();
        for (int i = 0; i < d.length; i++)
            if (Math.abs(d[i] - k) < 0.05f)
                d[i] = d[i] < k ? k - 0.05f - (k - d[i]) : k + 0.05f + (d[i] - k);
        return x;
    }

    @Test
    void scaleAndAddScalar() {
        unary("scale", x -> F.scale(x, -2.5f), t -> -2.5 * t, rand(27, -1, 1, 3, 4));
        unary("add_scalar", x -> F.addScalar(x, 0.75f), t -> t + 0.75, rand(28, -1, 1, 3, 4));
    }

    @Test
    void largeElementwiseChainUsesTheDirectionalCheck() { // 600 elements > FULL_CHECK_MAX
        Tensor a = rand(29, 0.5, 2, 20, 30), b = rand(30, -1, 1, 30);
        GradCheck.check(
                "log(a)*b + a",
                v -> F.add(F.mul(F.log(v[0]), v[1]), v[0]),
                x ->
                        Ref64.broadcast(
                                x[0],
                                new int[] {20, 30},
                                x[1],
                                new int[] {30},
                                new int[] {20, 30},
                                (p, q) -> Math.log(p) * q + p),
                a,
                b);
    }

    private static void unary(
            String name, UnaryOperator<Var> f32, DoubleUnaryOperator f64, Tensor x) {
        GradCheck.check(name, v -> f32.apply(v[0]), in -> map(in[0], f64), x);
    }

    private static boolean any(Tensor t, DoublePredicate p) {
        for (float v : t.toArray()) if (p.test(v)) return true;
        return false;
    }

    static double[] map(double[] x, DoubleUnaryOperator f) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = f.applyAsDouble(x[i]);
        return y;
    }
}

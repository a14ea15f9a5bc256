package arm.autograd;

import static arm.autograd.GradCheck.rand;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import arm.tensor.Shape;
import arm.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Gradient checks of the reductions and layout ops: sumTo, sum/mean, reshape, permute, slice,
 * concat, max.
 */
class ShapeOpsGradTest {
    static final int[] X = {2, 3, 4};

    @Test
    void sumToEveryKindOfTarget() {
        int[][] targets = {{3, 1}, {1, 3, 4}, {2, 1, 1}, {4}, {1}, {2, 3, 4}, {1, 1, 4}};
        for (int[] t : targets)
            GradCheck.check(
                    "sumTo " + Shape.str(t),
                    v -> F.sumTo(v[0], t),
                    x -> Ref64.sumTo(x[0], X, t),
                    rand(40, -1, 1, X));
    }

    @Test
    void sumAndMeanOverAxes() {
        Object[][] cases = { // axes, keepdim, keep-dim target shape, result shape
            {new int[] {0, 2}, true, new int[] {1, 3, 1}, new int[] {1, 3, 1}},
            {new int[] {0, 2}, false, new int[] {1, 3, 1}, new int[] {3}},
            {new int[] {-1}, false, new int[] {2, 3, 1}, new int[] {2, 3}},
            {new int[] {1}, true, new int[] {2, 1, 4}, new int[] {2, 1, 4}},
            {new int[] {0, 1, 2}, false, new int[] {1, 1, 1}, new int[] {1}},
        };
        for (Object[] c : cases) {
            int[] axes = (int[]) c[0], target = (int[]) c[2], shape = (int[]) c[3];
            boolean keep = (Boolean) c[1];
            double count = Ref64.numel(X) / (double) Ref64.numel(target);
            Var s = F.sum(Var.param(rand(41, -1, 1, X)), axes, keep);
            assertThat(s.shape()).containsExactly(shape);
            GradCheck.check(
                    "sum " + Shape.str(axes) + " keep=" + keep,
                    v -> F.sum(v[0], axes, keep),
                    x -> Ref64.sumTo(x[0], X, target),
                    rand(41, -1, 1, X));
            GradCheck.check(
                    "mean " + Shape.str(axes) + " keep=" + keep,
                    v -> F.mean(v[0], axes, keep),
                    x -> ElementwiseGradTest.map(Ref64.sumTo(x[0], X, target), t -> t / count),
                    rand(42, -1, 1, X));
        }
        GradCheck.check(
                "mean all",
                v -> F.mean(v[0]),
                x -> new double[] {Arrays.stream(x[0]).sum() / 24},
                rand(43, -1, 1, X));
        assertThatThrownBy(() -> F.sum(Var.param(rand(1, 0, 1, X)), new int[] {1, 1}, true))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void reshape() {
        GradCheck.check(
                "reshape",
                v -> F.mul(F.reshape(v[0], 4, 6), F.reshape(v[0], 4, 6)),
                x -> ElementwiseGradTest.map(x[0], t -> t * t),
                rand(44, -1, 1, X));
    }

    @Test
    void permuteRank3And4() {
        int[][][] cases = {
            {{2, 3, 4}, {2, 0, 1}},
            {{2, 3, 4}, {1, 0, 2}},
            {{2, 3, 4, 5}, {0, 2, 3, 1}},
            {{2, 3, 4, 5}, {3, 1, 0, 2}},
        };
        for (int[][] c : cases)
            GradCheck.check(
                    "permute " + Shape.str(c[0]) + " by " + Shape.str(c[1]),
                    v -> F.permute(v[0], c[1]),
                    x -> Ref64.permute(x[0], c[0], c[1]),
                    rand(45, -1, 1, c[0]));
        assertThatThrownBy(() -> F.permute(Var.param(rand(1, 0, 1, X)), 0, 0, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void transpose() {
        GradCheck.check(
                "transpose",
                v -> F.transpose(v[0]),
                x -> Ref64.permute(x[0], new int[] {3, 5}, new int[] {1, 0}),
                rand(46, -1, 1, 3, 5));
    }

    @Test
    void sliceAlongEachAxis() {
        int[] s = {3, 5, 4};
        int[][] cases = {
            {0, 1, 3}, {1, 1, 4}, {2, 3, 4}, {-1, 0, 2}, {1, 0, 5}
        }; // axis, start, end
        for (int[] c : cases) {
            int axis = c[0] < 0 ? s.length + c[0] : c[0];
            int[] out = s.clone();
            out[axis] = c[2] - c[1];
            GradCheck.check(
                    "slice axis " + c[0] + " [" + c[1] + "," + c[2] + ")",
                    v -> F.slice(v[0], c[0], c[1], c[2]),
                    x -> {
                        double[] y = new double[Ref64.numel(out)];
                        for (int i = 0; i < y.length; i++) {
                            int[] idx = Ref64.unravel(i, out);
                            idx[axis] += c[1];
                            y[i] = x[0][Ref64.ravel(idx, s)];
                        }
                        return y;
                    },
                    rand(47, -1, 1, s));
        }
        assertThatThrownBy(() -> F.slice(Var.param(rand(1, 0, 1, s)), 1, 2, 6))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void concatAlongEachAxis() {
        int[][][] cases = { // input shapes; axis = the one that differs
            {{2, 1, 3}, {2, 4, 3}, {2, 2, 3}}, {{1, 3}, {3, 3}}, {{2, 3, 2}, {2, 3, 1}, {2, 3, 3}},
        };
        int[] axes = {1, 0, 2};
        for (int k = 0; k < cases.length; k++) {
            int[][] shapes = cases[k];
            int axis = axes[k];
            Tensor[] xs = new Tensor[shapes.length];
            for (int i = 0; i < xs.length; i++) xs[i] = rand(48 + i, -1, 1, shapes[i]);
            GradCheck.check(
                    "concat axis " + axis,
                    v -> F.cat(axis, v),
                    x -> refConcat(x, shapes, axis),
                    xs);
        }
        assertThatThrownBy(
                        () ->
                                F.cat(
                                        0,
                                        Var.param(rand(1, 0, 1, 2, 3)),
                                        Var.param(rand(1, 0, 1, 2, 4))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static double[] refConcat(double[][] x, int[][] shapes, int axis) {
        int[] out = shapes[0].clone();
        out[axis] = 0;
        for (int[] s : shapes) out[axis] += s[axis];
        double[] y = new double[Ref64.numel(out)];
        for (int i = 0; i < y.length; i++) {
            int[] idx = Ref64.unravel(i, out);
            int k = 0;
            while (idx[axis] >= shapes[k][axis]) idx[axis] -= shapes[k++][axis];
            y[i] = x[k][Ref64.ravel(idx, shapes[k])];
        }
        return y;
    }

    @Test
    void maxOverTheLastAxis() {
        for (int[] s : new int[][] {{4, 6}, {2, 3, 5}, {7}}) {
            Tensor x = distinct(49, s);
            int c = s[s.length - 1];
            GradCheck.check(
                    "max " + Shape.str(s),
                    v -> F.maxLastAxis(v[0]),
                    in -> {
                        double[] y = new double[in[0].length / c];
                        for (int r = 0; r < y.length; r++) {
                            y[r] = Double.NEGATIVE_INFINITY;
                            for (int j = 0; j < c; j++) y[r] = Math.max(y[r], in[0][r * c + j]);
                        }
                        return y;
                    },
                    x);
        }
    }

    @Test
    void argmaxTakesTheFirstOfTies() {
        Var x = Var.constant(Tensor.of(new float[] {1, 3, 3, 0, -2, -1, -1, -5}, 2, 4));
        assertThat(F.argmax(x)).containsExactly(1, 1);
        Var p = Var.param(x.value);
        Tensor dx = Autograd.grad(F.sum(F.maxLastAxis(p)), p)[0];
        assertThat(dx.toArray()).containsExactly(0, 1, 0, 0, 0, 1, 0, 0);
    }

    /** Random values with every pair at least 0.01 apart, so the max has no near-ties. */
    private static Tensor distinct(long seed, int... shape) {
        int n = Ref64.numel(shape);
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = (i - n / 2) * 0.05f;
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) { // Fisher–Yates shuffle
            int j = r.nextInt(i + 1);
            float t = d[i];
            d[i] = d[j];
            d[j] = t;
        }
        return Tensor.of(d, shape);
    }
}

package arm.autograd;

import static arm.autograd.GradCheck.rand;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import arm.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine's contract: exact gradient requests, needs-mask pruning, accumulation, noGrad,
 * fan-out.
 */
class AutogradTest {
    static final int[] LABELS = {0, 3, 2};

    /** A 5-7-4 MLP on 3 rows; distinct sizes so every gradient's shape names its tensor. */
    static final class Mlp {
        final Var x = Var.param(rand(1, -1, 1, 3, 5));
        final Var w1 = Var.param(rand(2, -0.5, 0.5, 7, 5)), b1 = Var.param(rand(3, -0.1, 0.1, 7));
        final Var w2 = Var.param(rand(4, -0.5, 0.5, 4, 7)), b2 = Var.param(rand(5, -0.1, 0.1, 4));

        Var loss() {
            return F.crossEntropy(F.linear(F.relu(F.linear(x, w1, b1)), w2, b2), LABELS);
        }
    }

    @Test
    void gradReturnsExactlyTheRequestedGradientsInOrder() {
        Mlp m = new Mlp();
        Var loss = m.loss();
        Tensor[] g = Autograd.grad(loss, m.w2, m.x);
        assertThat(g).hasSize(2);
        assertThat(g[0].shape).containsExactly(4, 7);
        assertThat(g[1].shape).containsExactly(3, 5);
        assertThat(m.x.grad).isNull(); // grad() leaves .grad alone
        assertThat(m.w2.grad).isNull();

        Autograd.backward(loss); // the same numbers through the accumulating path
        assertThat(g[0].toArray()).containsExactly(m.w2.grad.toArray(), within(1e-7f));
        assertThat(g[1].toArray()).containsExactly(m.x.grad.toArray(), within(1e-7f));
    }

    /**
     * A graph cut at its outputs: the loss built on leaves holding the logits and a side output,
     * its gradients with respect to them sent down with the seeded grad, equals the whole graph's
     * input gradient (bit for bit here: one path per output), and the seeds are left as they were.
     */
    @Test
    void seededGradOfACutGraphEqualsTheWholeGraphsGradient() {
        Mlp m = new Mlp();
        Var h = F.relu(F.linear(m.x, m.w1, m.b1));
        Var logits = F.linear(h, m.w2, m.b2), side = F.sum(F.mul(h, h));
        Var whole = F.add(F.crossEntropy(logits, LABELS), F.scale(side, 0.5f));
        float[] expected = Autograd.grad(whole, m.x)[0].toArray();

        Var l = Var.param(logits.value), s = Var.param(side.value);
        Tensor[] seeds = Autograd.grad(F.add(F.crossEntropy(l, LABELS), F.scale(s, 0.5f)), l, s);
        float[] before0 = seeds[0].toArray(), before1 = seeds[1].toArray();
        Tensor cut = Autograd.grad(new Var[] {logits, side}, seeds, m.x)[0];
        assertThat(cut.toArray()).containsExactly(expected);
        assertThat(seeds[0].toArray()).containsExactly(before0);
        assertThat(seeds[1].toArray()).containsExactly(before1);
        assertThatThrownBy(() -> Autograd.grad(new Var[] {logits}, new Tensor[] {seeds[1]}, m.x))
                .hasMessageContaining("does not fit");
    }

    @Test
    void onlyTheInputGradientRunsNoWeightGradientGemm() {
        Mlp m = new Mlp();
        Var loss = m.loss();
        try (CountingBackend cb = CountingBackend.install()) {
            Autograd.grad(loss, m.x);
            // dh = dz2·W2 [3,7] and dx = dz1·W1 [3,5]; no dW1 [7,5] or dW2 [4,7] GEMM, no bias sums
            assertThat(cb.named("gemm")).containsExactly("gemm [3, 7]", "gemm [3, 5]");
            assertThat(cb.named("sumTo")).doesNotContain("sumTo [7]", "sumTo [4]");
        }
    }

    @Test
    void onlyTheLastWeightGradientRunsOneGemm() {
        Mlp m = new Mlp();
        Var loss = m.loss();
        try (CountingBackend cb = CountingBackend.install()) {
            Autograd.grad(loss, m.w2);
            assertThat(cb.named("gemm")).containsExactly("gemm [4, 7]");
            assertThat(cb.named("unaryBackward"))
                    .doesNotContain("unaryBackward [3, 7]"); // not into relu
        }
        try (CountingBackend cb = CountingBackend.install()) {
            Autograd.grad(loss, m.b1);
            assertThat(cb.named("gemm")).containsExactly("gemm [3, 7]"); // dh only, no dW1
            assertThat(cb.named("sumTo")).contains("sumTo [7]").doesNotContain("sumTo [4]");
        }
    }

    @Test
    void backwardAccumulatesAcrossCallsAndZeroGradClears() {
        Mlp m = new Mlp();
        Autograd.backward(m.loss());
        float[] once = m.w1.grad.toArray();
        Autograd.backward(m.loss());
        float[] twice = m.w1.grad.toArray();
        for (int i = 0; i < once.length; i++)
            assertThat(twice[i]).isCloseTo(2 * once[i], within(1e-6f));

        m.w1.zeroGrad();
        assertThat(m.w1.grad).isNull();
        Autograd.backward(m.loss());
        assertThat(m.w1.grad.toArray()).containsExactly(once, within(1e-7f));
    }

    /**
     * Deferred weight gradients (Autograd.backward(loss, later)): the convolutions whose weight
     * feeds them alone hand their weight gradient over as a job, a weight used twice is not
     * deferred, and with the jobs run after the pass, in any order, every gradient has the bits of
     * the plain backward (accumulated onto an existing gradient too).
     */
    @Test
    void deferredWeightGradientsGiveThePlainBackwardsBits() {
        float[][] plain = convGrads(null, false), plainTwice = convGrads(null, true);
        List<Runnable> jobs = new ArrayList<>();
        float[][] deferred = convGrads(jobs, false);
        assertThat(jobs).hasSize(2); // a and s; b feeds two convolutions
        float[][] twice = convGrads(new ArrayList<>(), true);
        for (int i = 0; i < plain.length; i++) {
            assertThat(Arrays.equals(deferred[i], plain[i])).as("gradient " + i).isTrue();
            assertThat(Arrays.equals(twice[i], plainTwice[i])).as("accumulated " + i).isTrue();
        }
    }

    /** x, a, b, s's gradients of a small residual conv graph; jobs null: plain backward. */
    private static float[][] convGrads(List<Runnable> jobs, boolean twice) {
        Var x = Var.param(rand(20, -1, 1, 2, 3, 6, 6)),
                a = Var.param(rand(21, -.5, .5, 4, 3, 3, 3));
        Var b = Var.param(rand(22, -.5, .5, 4, 4, 3, 3)),
                s = Var.param(rand(23, -.5, .5, 4, 3, 1, 1));
        for (int pass = 0; pass < (twice ? 2 : 1); pass++) {
            Var h = F.relu(F.conv2d(x, a, 1, 1));
            Var y =
                    F.add(
                            F.add(F.conv2d(h, b, 2, 1), F.conv2d(F.relu(h), b, 2, 1)),
                            F.conv2d(x, s, 2, 0));
            Var loss = F.sum(F.mul(y, y));
            if (jobs == null) Autograd.backward(loss);
            else {
                Runnable rest = Autograd.backward(loss, jobs::add);
                Collections.reverse(jobs); // any order: each job fills its own tensor
                jobs.forEach(Runnable::run);
                rest.run();
                if (twice) jobs.clear();
            }
        }
        return new float[][] {
            x.grad.toArray(), a.grad.toArray(), b.grad.toArray(), s.grad.toArray()
        };
    }

    @Test
    void backwardSkipsConstants() {
        Var data = Var.constant(rand(6, -1, 1, 3, 5));
        Var w = Var.param(rand(7, -1, 1, 4, 5));
        Autograd.backward(F.sum(F.linear(data, w, null)));
        assertThat(data.grad).isNull();
        assertThat(w.grad).isNotNull();
    }

    @Test
    void noGradRecordsNoGraph() {
        Var p = Var.param(rand(8, -1, 1, 2, 3));
        Var y;
        try (var ng = Autograd.noGrad()) {
            try (var inner = Autograd.noGrad()) {
                y = F.mul(p, p);
            }
            assertThat(F.exp(p).tracked()).isFalse(); // still off after the inner scope closes
        }
        assertThat(y.tracked()).isFalse();
        assertThat(y.node).isNull();
        assertThat(F.mul(p, p).tracked()).isTrue(); // back on
    }

    @Test
    void anIntermediateUsedTwiceGetsTheSummedGradient() {
        Tensor x0 = rand(9, -1, 1, 2, 3);
        Var x = Var.param(x0);
        Var h = F.exp(x);
        Var loss = F.sum(F.add(F.mul(h, h), h)); // L = Σ h² + h
        Tensor[] g = Autograd.grad(loss, x, h);
        float[] xs = x0.toArray(), dx = g[0].toArray(), dh = g[1].toArray();
        for (int i = 0; i < xs.length; i++) {
            double e = Math.exp(xs[i]);
            assertThat((double) dh[i])
                    .isCloseTo(2 * e + 1, within(1e-5)); // dL/dh at an intermediate
            assertThat((double) dx[i]).isCloseTo((2 * e + 1) * e, within(1e-5));
        }
        GradCheck.check(
                "exp used twice",
                v -> {
                    Var e = F.exp(v[0]);
                    return F.add(F.mul(e, e), e);
                },
                in -> ElementwiseGradTest.map(in[0], t -> Math.exp(2 * t) + Math.exp(t)),
                x0);
    }

    @Test
    void unreachableVarsGetZerosAndConstantsAreRefused() {
        Var a = Var.param(rand(10, -1, 1, 3)), b = Var.param(rand(11, -1, 1, 2, 2));
        Tensor[] g = Autograd.grad(F.sum(F.exp(a)), b);
        assertThat(g[0].shape).containsExactly(2, 2);
        assertThat(g[0].toArray()).containsOnly(0f);
        Var c = Var.constant(rand(12, -1, 1, 3));
        assertThatThrownBy(() -> Autograd.grad(F.sum(F.mul(a, c)), c))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Var.param");
    }

    @Test
    void lossMustBeAScalar() {
        Var a = Var.param(rand(13, -1, 1, 3));
        assertThatThrownBy(() -> Autograd.grad(F.exp(a), a))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

package arm.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import arm.tensor.BatchNormArgs;
import arm.tensor.Binary;
import arm.tensor.HostPool;
import arm.tensor.Scope;
import arm.tensor.Shape;
import arm.tensor.Tensor;
import arm.tensor.Unary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every op that autograd hands an {@code empty} output overwrites all of it: the CPU backend's
 * output from a recycled array (NaN-filled by the pool's poison, or holding another op's values)
 * equals, bit for bit, the output written into a fresh zeroed array. Shapes are odd and include the
 * convolution paths (direct, channels-last with its stride phases, im2col) and the fused BN → ReLU.
 */
class RecycledOutputTest {
    final CpuBackend cpu = new CpuBackend();

    @AfterEach
    void reset() {
        HostPool.poison(false);
        HostPool.clear();
    }

    /** An op that writes into the tensor {@code out} asks for, returning the tensors to compare. */
    interface Op extends Function<Function<int[], Tensor>, List<Tensor>> {}

    static Tensor rand(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[Shape.numel(shape)];
        for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return Tensor.of(a, shape);
    }

    static Tensor positive(long seed, int... shape) {
        Tensor t = rand(seed, shape);
        float[] a = t.data();
        for (int i = 0; i < a.length; i++) a[i] = Math.abs(a[i]) + 0.1f;
        return t;
    }

    Map<String, Op> ops() {
        Map<String, Op> ops = new LinkedHashMap<>();
        Tensor x = rand(1, 3, 5, 7, 9), y = rand(2, 3, 5, 7, 9), row = rand(3, 9);
        Tensor p = positive(4, 3, 5, 7, 9);
        for (Unary u : Unary.values()) {
            Tensor in = u == Unary.LOG || u == Unary.SQRT || u == Unary.POW ? p : x;
            ops.put(
                    "unary " + u,
                    out -> {
                        Tensor o = out.apply(in.shape), d = out.apply(in.shape);
                        cpu.unary(u, in, 0.7f, o);
                        cpu.unaryBackward(u, in, o, y, 0.7f, d);
                        return List.of(o, d);
                    });
        }
        for (Binary b : Binary.values())
            ops.put(
                    "binary " + b,
                    out -> {
                        Tensor same = out.apply(x.shape), bcast = out.apply(x.shape);
                        cpu.binary(b, x, b == Binary.DIV ? p : y, same);
                        cpu.binary(b, x, row, bcast);
                        return List.of(same, bcast);
                    });
        ops.put(
                "sumTo, copy, permute, concat",
                out -> {
                    Tensor s1 = out.apply(new int[] {3, 5, 7, 9}), s2 = out.apply(new int[] {9});
                    Tensor s3 = out.apply(new int[] {1, 5, 1, 1}), c = out.apply(x.shape);
                    Tensor pm = out.apply(new int[] {7, 3, 9, 5}),
                            cat = out.apply(new int[] {6, 5, 7, 9});
                    Tensor ex = out.apply(x.shape), zero = cpu.zeros(1);
                    cpu.sumTo(x, s1);
                    cpu.sumTo(x, s2);
                    cpu.sumTo(x, s3);
                    cpu.copy(x, c);
                    cpu.permute(x, new int[] {2, 0, 3, 1}, pm);
                    cpu.copyAlongAxis(x, 0, 0, cat, 0, 3);
                    cpu.copyAlongAxis(y, 0, 0, cat, 3, 3);
                    cpu.binary(Binary.ADD, s3, zero, ex); // SumTo's backward
                    return List.of(s1, s2, s3, c, pm, cat, ex);
                });
        ops.put(
                "gemm",
                out -> {
                    List<Tensor> r = new ArrayList<>();
                    Tensor a = rand(5, 13, 29), bt = rand(6, 17, 29), b = rand(7, 29, 17);
                    Tensor c1 = out.apply(new int[] {13, 17}), c2 = out.apply(new int[] {13, 17});
                    Tensor c3 = out.apply(new int[] {29, 29});
                    cpu.gemm(false, true, 1f, a, bt, 0f, c1);
                    cpu.gemm(false, false, 0.5f, a, b, 0f, c2);
                    cpu.gemm(true, false, 1f, a, a, 0f, c3);
                    r.add(c1);
                    r.add(c2);
                    r.add(c3);
                    return r;
                });
        ops.put(
                "softmax, gather, max",
                out -> {
                    Tensor z = rand(8, 11, 10), dy = rand(9, 11, 10);
                    Tensor s = out.apply(z.shape), ls = out.apply(z.shape);
                    Tensor ds = out.apply(z.shape), dls = out.apply(z.shape);
                    Tensor g = out.apply(new int[] {11}), m = out.apply(new int[] {11});
                    cpu.softmax(z, false, s);
                    cpu.softmax(z, true, ls);
                    cpu.softmaxBackward(s, dy, false, ds);
                    cpu.softmaxBackward(ls, dy, true, dls);
                    int[] idx = new int[11];
                    for (int i = 0; i < idx.length; i++) idx[i] = (i * 7) % 10;
                    cpu.gatherLastAxis(z, idx, g);
                    cpu.maxLastAxis(z, m, new int[11]);
                    return List.of(s, ls, ds, dls, g, m);
                });
        // ci-hw-co-k-stride-pad: the stem, stride-1 direct, strided, channels-last stages, 1×1
        int[][] convs = {
            {3, 12, 5, 3, 1, 1}, {6, 11, 7, 3, 1, 1}, {6, 11, 9, 3, 2, 1},
            {37, 8, 35, 3, 1, 1}, {37, 8, 41, 3, 2, 1}, {21, 4, 23, 3, 1, 1},
            {7, 9, 13, 1, 2, 0}, {5, 10, 6, 1, 1, 0}
        };
        for (int[] c : convs) {
            int ci = c[0], hw = c[1], co = c[2], k = c[3], s = c[4], pad = c[5];
            int ho = (hw + 2 * pad - k) / s + 1;
            Tensor in = rand(10 + ci, 3, ci, hw, hw), w = rand(11 + co, co, ci, k, k);
            Tensor dy = rand(12 + hw, 3, co, ho, ho);
            ops.put(
                    "conv " + ci + "-" + hw + "-" + co + "-" + k + "-" + s,
                    out -> {
                        Tensor o = out.apply(dy.shape), dx = out.apply(in.shape);
                        Tensor dw = out.apply(w.shape);
                        cpu.conv2d(in, w, s, pad, o);
                        cpu.conv2dBackwardInput(dy, w, s, pad, dx);
                        cpu.conv2dBackwardWeight(in, dy, s, pad, dw);
                        return List.of(o, dx, dw);
                    });
        }
        for (boolean relu : new boolean[] {false, true})
            ops.put(
                    "batch norm, relu " + relu,
                    out -> {
                        Tensor gamma = rand(13, 5), beta = rand(14, 5);
                        Tensor mean = out.apply(new int[] {5}), var = out.apply(new int[] {5});
                        Tensor o = out.apply(x.shape), dx = out.apply(x.shape);
                        Tensor dg = out.apply(new int[] {5}), db = out.apply(new int[] {5});
                        Tensor eo = out.apply(x.shape);
                        BatchNormArgs a = BatchNormArgs.train(gamma, beta, 1e-5f, mean, var);
                        cpu.batchNorm(a, x, relu, o);
                        cpu.batchNormBackward(a, x, relu ? o : null, y, dx, dg, db);
                        cpu.batchNorm(
                                BatchNormArgs.eval(gamma, beta, 1e-5f, mean, var), x, false, eo);
                        return List.of(mean, var, o, dx, dg, db, eo);
                    });
        ops.put(
                "avg pool",
                out -> {
                    Tensor o = out.apply(new int[] {3, 5, 3, 4}), dx = out.apply(x.shape);
                    cpu.avgPool2d(x, 2, 2, o);
                    cpu.avgPool2dBackward(o, 2, 2, dx);
                    return List.of(o, dx);
                });
        return ops;
    }

    static List<float[]> copies(List<Tensor> ts) {
        List<float[]> out = new ArrayList<>();
        for (Tensor t : ts) out.add(t.toArray());
        return out;
    }

    @Test
    void recycledOutputsEqualFreshOnes() {
        Map<String, Op> ops = ops();
        for (var e : ops.entrySet()) {
            List<float[]> fresh = copies(e.getValue().apply(cpu::zeros));
            // 1: NaN-filled arrays (first use and reuse alike), 2: arrays holding the values of
            // the op's previous outputs of the same size (the pool's ordinary state)
            for (boolean poison : new boolean[] {true, false}) {
                HostPool.poison(poison);
                for (int round = 0; round < 2; round++)
                    try (Scope s = Scope.recycling()) {
                        List<Tensor> got =
                                e.getValue()
                                        .apply(
                                                shape -> {
                                                    Tensor t = cpu.empty(shape);
                                                    if (poison) assertThat(t.data()[0]).isNaN();
                                                    return t;
                                                });
                        List<float[]> g = copies(got);
                        for (int i = 0; i < g.size(); i++)
                            assertThat(g.get(i))
                                    .as(e.getKey() + " output " + i + " poison " + poison)
                                    .containsExactly(fresh.get(i));
                    }
            }
            assertThat(HostPool.pooledFloats()).as(e.getKey()).isPositive();
        }
    }

    @Test
    void zerosFromThePoolAreZeroAndArraysAreReusedOnlyAfterTheScopeCloses() {
        float[] first;
        try (Scope s = Scope.recycling()) {
            Tensor t = cpu.empty(7, 3);
            cpu.fill(t, 5f);
            first = t.data();
            assertThat(cpu.empty(7, 3).data()).isNotSameAs(first); // still live
        }
        try (Scope s = Scope.recycling()) {
            Tensor z = cpu.zeros(21);
            assertThat(z.data()).isSameAs(first).containsOnly(0f);
        }
        // a plain scope, or none, never hands out pooled arrays
        try (Scope s = Scope.open()) {
            assertThat(cpu.empty(21).data()).isNotSameAs(first).containsOnly(0f);
        }
        assertThat(cpu.empty(21).data()).isNotSameAs(first);
    }

    @Test
    void aKeptTensorOutlivesItsRecyclingScope() {
        Tensor kept;
        try (Scope outer = Scope.open()) {
            try (Scope s = Scope.recycling()) {
                kept = s.keep(cpu.empty(11));
                cpu.fill(kept, 3f);
            }
            try (Scope s = Scope.recycling()) {
                Tensor other = cpu.empty(11);
                assertThat(other.data()).isNotSameAs(kept.data());
            }
        }
        assertThat(kept.data()).containsOnly(3f);
    }
}

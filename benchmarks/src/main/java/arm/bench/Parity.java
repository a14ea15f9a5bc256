package arm.bench;

import arm.kernels.cuda.*;
import arm.tensor.Backend;
import arm.tensor.BatchNormArgs;
import arm.tensor.Binary;
import arm.tensor.LogitWeights;
import arm.tensor.Scope;
import arm.tensor.Shape;
import arm.tensor.Tensor;
import arm.tensor.Unary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * CPU-vs-GPU parity of every {@link Backend} primitive, forward and backward, on random data and
 * odd shapes (1, primes, non-multiples of 32). Plain methods, so both the JUnit test (skipped
 * without a GPU) and {@code DeviceCheckMain parity} (no JUnit on the GPU machine) run the same
 * checks.
 *
 * <p>Each case builds its host inputs once, runs the same closure on both backends, and compares
 * the downloaded outputs by max |gpu − cpu| / max(1e-3, max |cpu|) against a visible tolerance.
 */
public final class Parity {
    /** One compared case. */
    public record Result(String name, boolean ok, double error, double tolerance, String detail) {
        @Override
        public String toString() {
            return (ok ? "PASS " : "FAIL ")
                    + name
                    + String.format(" err=%.2e tol=%.0e", error, tolerance)
                    + (detail.isEmpty() ? "" : " " + detail);
        }
    }

    interface Case {
        float[] run(Backend b);
    }

    private final Backend cpu, gpu;
    private final Random rnd;
    private final List<Result> results = new ArrayList<>();

    /**
     * FP32 arithmetic on both sides. GEMM sums in a different order; cuDNN may pick Winograd or FFT
     * convolutions, whose rounding error is larger (still orders of magnitude below a real bug).
     */
    static final double EW = 2e-6, RED = 1e-5, MM = 2e-5, CONV = 1e-4;

    public Parity(Backend cpu, Backend gpu, long seed) {
        this.cpu = cpu;
        this.gpu = gpu;
        this.rnd = new Random(seed);
    }

    /** Runs every case; the list has one result per case. */
    public List<Result> runAll() {
        memory();
        elementwise();
        gemm();
        reductions();
        softmax();
        indexing();
        conv();
        convTranspose();
        batchNorm();
        batchNormFused();
        pooling();
        imagePrior();
        logitTerms();
        return List.copyOf(results);
    }

    // ---------------------------------------------------------------- helpers

    float[] uniform(int n, float lo, float hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = lo + (hi - lo) * rnd.nextFloat();
        return a;
    }

    /** Values in ±[lo, hi], never near 0 (keeps ReLU / clamp / division away from kinks). */
    float[] awayFromZero(int n, float lo, float hi) {
        float[] a = uniform(n, lo, hi);
        for (int i = 0; i < n; i++) if (rnd.nextBoolean()) a[i] = -a[i];
        return a;
    }

    float[] normal(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rnd.nextGaussian();
        return a;
    }

    static int numel(int... s) {
        int n = 1;
        for (int d : s) n *= d;
        return n;
    }

    static Tensor up(Backend b, float[] host, int... shape) {
        return b.upload(host, shape);
    }

    static float[] down(Backend b, Tensor... ts) {
        int n = 0;
        for (Tensor t : ts) n += t.numel();
        float[] out = new float[n];
        int o = 0;
        for (Tensor t : ts) {
            float[] d = b.download(t);
            System.arraycopy(d, 0, out, o, d.length);
            o += d.length;
        }
        return out;
    }

    void check(String name, double tol, Case c) {
        try (Scope s = Scope.open()) {
            float[] want = c.run(cpu);
            float[] got = c.run(gpu);
            if (want.length != got.length) {
                results.add(
                        new Result(
                                name,
                                false,
                                Double.NaN,
                                tol,
                                "length " + got.length + " vs " + want.length));
                return;
            }
            double max = 0, err = 0;
            int worst = -1;
            for (int i = 0; i < want.length; i++) max = Math.max(max, Math.abs(want[i]));
            double scale = Math.max(1e-3, max);
            for (int i = 0; i < want.length; i++) {
                double e = Math.abs((double) got[i] - want[i]) / scale;
                if (!(e <= err)) { // NaN counts as worst
                    err = Double.isNaN(e) ? Double.POSITIVE_INFINITY : e;
                    worst = i;
                }
            }
            String detail =
                    worst < 0 ? "" : "at " + worst + ": gpu " + got[worst] + " cpu " + want[worst];
            results.add(new Result(name, err <= tol, err, tol, err <= tol ? "" : detail));
        } catch (Throwable t) {
            results.add(
                    new Result(
                            name,
                            false,
                            Double.NaN,
                            tol,
                            t.getClass().getSimpleName()
                                    + ": "
                                    + Blas.firstLine(String.valueOf(t.getMessage()))));
        }
    }

    // ---------------------------------------------------------------- cases

    void memory() {
        float[] x = normal(1031);
        check("upload/download [1031]", 0, b -> down(b, up(b, x, 1031)));
        check("zeros [7,13]", 0, b -> down(b, b.zeros(7, 13)));
        check(
                "fill [3,37]",
                0,
                b -> {
                    Tensor t = b.zeros(3, 37);
                    b.fill(t, -2.5f);
                    return down(b, t);
                });
        check(
                "copy [1031]",
                0,
                b -> {
                    Tensor o = b.zeros(1031);
                    b.copy(up(b, x, 1031), o);
                    return down(b, o);
                });
    }

    void elementwise() {
        int[] s = {7, 37};
        int n = numel(s);
        for (Unary op : Unary.values()) {
            boolean clamp = op == Unary.CLAMP_MIN || op == Unary.CLAMP_MAX;
            float[] x =
                    op == Unary.LOG || op == Unary.SQRT || op == Unary.POW
                            ? uniform(n, 0.2f, 3f)
                            : awayFromZero(n, 0.05f, 2f);
            // softplus: both sides of its threshold 20 and a tail where ln(1 + eˣ) needs log1p
            if (op == Unary.SOFTPLUS) for (int i = 0; i < n; i += 3) x[i] *= 14f;
            float alpha = op == Unary.POW ? 2.5f : clamp ? 0.3f : op == Unary.SCALE ? -1.7f : 0.9f;
            if (clamp)
                for (int i = 0; i < n; i++) if (Math.abs(x[i] - alpha) < 0.02f) x[i] += 0.05f;
            float[] dy = normal(n);
            check(
                    "unary " + op,
                    EW * 4,
                    b -> {
                        Tensor o = b.zeros(s);
                        b.unary(op, up(b, x, s), alpha, o);
                        return down(b, o);
                    });
            check(
                    "unaryBackward " + op,
                    EW * 4,
                    b -> {
                        Tensor xt = up(b, x, s), y = b.zeros(s), dx = b.zeros(s);
                        b.unary(op, xt, alpha, y);
                        b.unaryBackward(op, xt, y, up(b, dy, s), alpha, dx);
                        return down(b, dx);
                    });
        }
        int[][][] shapes = {
            {{5, 37}, {5, 37}, {5, 37}}, // same shape
            {{3, 5, 37}, {37}, {3, 5, 37}}, // bias-like rows
            {{5, 1, 7}, {3, 1}, {5, 3, 7}}, // general broadcast both sides
            {{1}, {4, 9}, {4, 9}}, // scalar op tensor
            {{2, 3, 5, 7}, {1, 3, 1, 1}, {2, 3, 5, 7}}, // per-channel NCHW
            {{3, 1}, {1}, {3, 4}} // out larger than both: expand (the backward of sumTo)
        };
        for (Binary op : Binary.values())
            for (int[][] sh : shapes) {
                float[] a = awayFromZero(numel(sh[0]), 0.1f, 2f),
                        bb = awayFromZero(numel(sh[1]), 0.5f, 2f);
                check(
                        "binary "
                                + op
                                + " "
                                + Arrays.toString(sh[0])
                                + " "
                                + Arrays.toString(sh[1]),
                        EW,
                        b -> {
                            Tensor o = b.zeros(sh[2]);
                            b.binary(op, up(b, a, sh[0]), up(b, bb, sh[1]), o);
                            return down(b, o);
                        });
            }
        float[] x = normal(1031), y = normal(1031);
        check(
                "axpy [1031] (SGD update)",
                EW,
                b -> {
                    Tensor yt = up(b, y, 1031);
                    b.axpy(-0.37f, up(b, x, 1031), yt);
                    return down(b, yt);
                });
    }

    void gemm() {
        int[][] mnk = {{37, 53, 29}, {1, 17, 33}, {64, 1, 5}, {100, 400, 784}, {10, 10, 1}};
        for (int[] d : mnk)
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                int m = d[0], n = d[1], k = d[2];
                int[] as = ta ? new int[] {k, m} : new int[] {m, k},
                        bs = tb ? new int[] {n, k} : new int[] {k, n};
                float[] a = normal(m * k), bb = normal(k * n), c0 = normal(m * n);
                check(
                        String.format(
                                "gemm %s%s m=%d n=%d k=%d",
                                ta ? "T" : "N", tb ? "T" : "N", m, n, k),
                        MM,
                        b -> {
                            Tensor c = up(b, c0, m, n);
                            b.gemm(ta, tb, 1.3f, up(b, a, as), up(b, bb, bs), 0.5f, c);
                            return down(b, c);
                        });
            }
    }

    void reductions() {
        int[][][] cases = {
            {{7, 13}, {13}},
            {{7, 13}, {7, 1}},
            {{3, 5, 7}, {5, 1}},
            {{2, 3, 5, 7}, {1, 3, 1, 1}},
            {{4, 9}, {1}},
            {{1000, 10}, {10}},
            {{3, 5, 7}, {3, 5, 7}},
            {{100, 3, 32, 32}, {3, 1, 1}},
            {{100, 3, 32, 32}, {1}},
            {{16384}, {1}},
            {{1000003}, {1}} // scalars of ≥ 2^14 elements: the two-stage sum
        };
        for (int[][] c : cases) {
            float[] x = normal(numel(c[0]));
            check(
                    "sumTo " + Arrays.toString(c[0]) + " -> " + Arrays.toString(c[1]),
                    RED,
                    b -> {
                        Tensor o = b.zeros(c[1]);
                        b.sumTo(up(b, x, c[0]), o);
                        return down(b, o);
                    });
        }
        for (int[] s : new int[][] {{37, 11}, {5, 1}, {3, 1000}}) {
            float[] x = normal(numel(s));
            int rows = s[0];
            check(
                    "maxLastAxis " + Arrays.toString(s),
                    0,
                    b -> {
                        Tensor v = b.zeros(rows);
                        int[] arg = new int[rows];
                        b.maxLastAxis(up(b, x, s), v, arg);
                        float[] out = new float[2 * rows];
                        System.arraycopy(down(b, v), 0, out, 0, rows);
                        for (int i = 0; i < rows; i++) out[rows + i] = arg[i];
                        return out;
                    });
        }
    }

    void softmax() {
        for (int[] s : new int[][] {{37, 11}, {100, 10}, {3, 1000}, {5, 1}})
            for (boolean log : new boolean[] {false, true}) {
                float[] x = uniform(numel(s), -4f, 4f), dy = normal(numel(s));
                String name = (log ? "logSoftmax " : "softmax ") + Arrays.toString(s);
                check(
                        name,
                        RED,
                        b -> {
                            Tensor y = b.zeros(s);
                            b.softmax(up(b, x, s), log, y);
                            return down(b, y);
                        });
                check(
                        name + " backward",
                        RED,
                        b -> {
                            Tensor y = b.zeros(s), dx = b.zeros(s);
                            b.softmax(up(b, x, s), log, y);
                            b.softmaxBackward(y, up(b, dy, s), log, dx);
                            return down(b, dx);
                        });
            }
    }

    void indexing() {
        int r = 37, c = 11;
        float[] x = normal(r * c), g = normal(r), d0 = normal(r * c);
        int[] idx = new int[r];
        for (int i = 0; i < r; i++) idx[i] = rnd.nextInt(c);
        check(
                "gatherLastAxis [37,11]",
                0,
                b -> {
                    Tensor o = b.zeros(r);
                    b.gatherLastAxis(up(b, x, r, c), idx, o);
                    return down(b, o);
                });
        check(
                "scatterAddLastAxis [37,11]",
                EW,
                b -> {
                    Tensor dx = up(b, d0, r, c);
                    b.scatterAddLastAxis(up(b, g, r), idx, dx);
                    return down(b, dx);
                });
        float[] fidx = new float[r];
        for (int i = 0; i < r; i++) fidx[i] = idx[i];
        check(
                "gatherLastAxis [37,11] (device index)",
                0,
                b -> {
                    Tensor o = b.zeros(r);
                    b.gatherLastAxis(up(b, x, r, c), up(b, fidx, r), o);
                    return down(b, o);
                });
        check(
                "scatterAddLastAxis [37,11] (device index)",
                EW,
                b -> {
                    Tensor dx = up(b, d0, r, c);
                    b.scatterAddLastAxis(up(b, g, r), up(b, fidx, r), dx);
                    return down(b, dx);
                });
        check(
                "maxLastAxisIndex [37,11] (values, argmax on the device)",
                0,
                b -> {
                    Tensor v = b.zeros(r), a = b.zeros(r);
                    b.maxLastAxisIndex(up(b, x, r, c), v, a);
                    return down(b, v, a);
                });
        int[] s = {2, 3, 5, 7};
        float[] p = normal(numel(s));
        for (int[] perm : new int[][] {{0, 2, 3, 1}, {3, 1, 0, 2}, {0, 1, 2, 3}}) {
            int[] os = new int[4];
            for (int i = 0; i < 4; i++) os[i] = s[perm[i]];
            check(
                    "permute " + Arrays.toString(perm),
                    0,
                    b -> {
                        Tensor o = b.zeros(os);
                        b.permute(up(b, p, s), perm, o);
                        return down(b, o);
                    });
        }
        float[] m = normal(37 * 53);
        check(
                "permute transpose [37,53]",
                0,
                b -> {
                    Tensor o = b.zeros(53, 37);
                    b.permute(up(b, m, 37, 53), new int[] {1, 0}, o);
                    return down(b, o);
                });
        float[] src = normal(3 * 7 * 5), dst = normal(3 * 4 * 5);
        check(
                "copyAlongAxis slice axis 1",
                0,
                b -> {
                    Tensor o = up(b, dst, 3, 4, 5);
                    b.copyAlongAxis(up(b, src, 3, 7, 5), 1, 2, o, 1, 3);
                    return down(b, o);
                });
        check(
                "copyAlongAxis concat axis 0",
                0,
                b -> {
                    Tensor o = b.zeros(6, 7, 5);
                    Tensor a = up(b, src, 3, 7, 5);
                    b.copyAlongAxis(a, 0, 0, o, 0, 3);
                    b.copyAlongAxis(a, 0, 0, o, 3, 3);
                    return down(b, o);
                });
        check(
                "copyAlongAxis last axis",
                0,
                b -> {
                    Tensor o = b.zeros(3, 7, 2);
                    b.copyAlongAxis(up(b, src, 3, 7, 5), 2, 3, o, 0, 2);
                    return down(b, o);
                });
    }

    /** {N, Ci, H, W, Co, k, stride, pad}: odd sizes plus the ResNet18 (nf=20, CIFAR) kinds. */
    static final int[][] CONVS = {
        {3, 5, 9, 11, 7, 3, 1, 1},
        {3, 5, 9, 11, 7, 3, 2, 1},
        {2, 6, 7, 7, 5, 1, 2, 0},
        {1, 3, 5, 5, 2, 5, 1, 2},
        {10, 3, 32, 32, 20, 3, 1, 1},
        {10, 20, 32, 32, 40, 3, 2, 1},
        {10, 80, 8, 8, 160, 1, 2, 0}
    };

    void conv() {
        for (int[] c : CONVS) {
            int n = c[0], ci = c[1], h = c[2], w = c[3], co = c[4], k = c[5], st = c[6], pad = c[7];
            int ho = Shape.convOut(h, k, st, pad), wo = Shape.convOut(w, k, st, pad);
            int[] xs = {n, ci, h, w}, ws = {co, ci, k, k}, ys = {n, co, ho, wo};
            float[] x = normal(numel(xs)), wt = normal(numel(ws)), dy = normal(numel(ys));
            String tag = Arrays.toString(xs) + " w" + Arrays.toString(ws) + " s" + st + " p" + pad;
            check(
                    "conv2d " + tag,
                    CONV,
                    b -> {
                        Tensor y = b.zeros(ys);
                        b.conv2d(up(b, x, xs), up(b, wt, ws), st, pad, y);
                        return down(b, y);
                    });
            check(
                    "conv2dBackwardInput " + tag,
                    CONV,
                    b -> {
                        Tensor dx = up(b, normal(numel(xs)), xs); // overwritten
                        b.conv2dBackwardInput(up(b, dy, ys), up(b, wt, ws), st, pad, dx);
                        return down(b, dx);
                    });
            check(
                    "conv2dBackwardWeight " + tag,
                    CONV,
                    b -> {
                        Tensor dw = b.zeros(ws);
                        b.conv2dBackwardWeight(up(b, x, xs), up(b, dy, ys), st, pad, dw);
                        return down(b, dw);
                    });
        }
    }

    /**
     * {N, Ci, H, W, Co, k, stride, pad, outputPad} of transposed convolutions: odd sizes, output
     * padding, and the CIFAR VAE decoder's z×1×1 → 8×8 and stride-2 layers.
     */
    static final int[][] CONV_TRANSPOSES = {
        {3, 5, 4, 7, 6, 3, 2, 1, 1},
        {2, 4, 5, 5, 3, 3, 1, 1, 0},
        {10, 50, 1, 1, 64, 8, 1, 0, 0},
        {10, 64, 8, 8, 32, 5, 2, 2, 1}
    };

    /** The transposed convolution and its gradients (conv2d and conv2dBackwardWeight, swapped). */
    void convTranspose() {
        for (int[] c : CONV_TRANSPOSES) {
            int n = c[0], ci = c[1], h = c[2], w = c[3], co = c[4], k = c[5], st = c[6];
            int pad = c[7], op = c[8];
            int ho = Shape.convTransposeOut(h, k, st, pad, op);
            int wo = Shape.convTransposeOut(w, k, st, pad, op);
            int[] xs = {n, ci, h, w}, ws = {ci, co, k, k}, ys = {n, co, ho, wo};
            float[] x = normal(numel(xs)), wt = normal(numel(ws)), dy = normal(numel(ys));
            String tag =
                    Arrays.toString(xs)
                            + " w"
                            + Arrays.toString(ws)
                            + " s"
                            + st
                            + " p"
                            + pad
                            + " op"
                            + op;
            check(
                    "convTranspose2d " + tag,
                    CONV,
                    b -> {
                        Tensor y = up(b, normal(numel(ys)), ys); // overwritten
                        b.convTranspose2d(up(b, x, xs), up(b, wt, ws), st, pad, y);
                        return down(b, y);
                    });
            check(
                    "convTranspose2d dx (conv2d) " + tag,
                    CONV,
                    b -> {
                        Tensor dx = b.zeros(xs);
                        b.conv2d(up(b, dy, ys), up(b, wt, ws), st, pad, dx);
                        return down(b, dx);
                    });
            check(
                    "convTranspose2d dw (conv2dBackwardWeight) " + tag,
                    CONV,
                    b -> {
                        Tensor dw = b.zeros(ws);
                        b.conv2dBackwardWeight(up(b, dy, ys), up(b, x, xs), st, pad, dw);
                        return down(b, dw);
                    });
        }
    }

    /** max over channels of γ·max|dy|/√(σ²+ε) · m: the size of the terms BN's dx subtracts. */
    private static double cancellingScale(float[] x, float[] g, float[] dy, int[] s) {
        int n = s[0], c = s[1], hw = s[2] * s[3], m = n * hw;
        double out = 0;
        for (int ch = 0; ch < c; ch++) {
            double sum = 0, sq = 0, maxDy = 0;
            for (int b = 0; b < n; b++)
                for (int i = 0; i < hw; i++) {
                    double v = x[(b * c + ch) * hw + i];
                    sum += v;
                    sq += v * v;
                    maxDy = Math.max(maxDy, Math.abs(dy[(b * c + ch) * hw + i]));
                }
            double var = Math.max(0, sq / m - (sum / m) * (sum / m));
            out = Math.max(out, Math.abs(g[ch]) * maxDy / Math.sqrt(var + 1e-5));
        }
        return out;
    }

    private static float[] concat(float[] a, float[] b) {
        float[] o = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, o, a.length, b.length);
        return o;
    }

    void batchNorm() {
        for (int[] s :
                new int[][] {{3, 5, 7, 9}, {10, 20, 32, 32}, {100, 160, 4, 4}, {2, 3, 1, 1}}) {
            int c = s[1];
            float[] x = uniform(numel(s), -1f, 3f),
                    g = uniform(c, 0.5f, 1.5f),
                    be = normal(c),
                    dy = normal(numel(s));
            float[] rm = normal(c), rv = uniform(c, 0.5f, 2f);
            String tag = Arrays.toString(s);
            check(
                    "batchNorm train " + tag + " (y, mean, var)",
                    5e-5,
                    b -> {
                        Tensor y = b.zeros(s), mean = b.zeros(c), var = b.zeros(c);
                        b.batchNorm(
                                BatchNormArgs.train(up(b, g, c), up(b, be, c), 1e-5f, mean, var),
                                up(b, x, s),
                                false,
                                y);
                        return down(b, y, mean, var);
                    });
            check(
                    "batchNorm eval " + tag,
                    5e-5,
                    b -> {
                        Tensor y = b.zeros(s);
                        b.batchNorm(
                                BatchNormArgs.eval(
                                        up(b, g, c),
                                        up(b, be, c),
                                        1e-5f,
                                        up(b, rm, c),
                                        up(b, rv, c)),
                                up(b, x, s),
                                false,
                                y);
                        return down(b, y);
                    });
            check(
                    "batchNormBackward " + tag + " (dx, dGamma, dBeta)",
                    1e-4,
                    b -> {
                        Tensor xt = up(b, x, s),
                                gt = up(b, g, c),
                                y = b.zeros(s),
                                mean = b.zeros(c),
                                var = b.zeros(c);
                        BatchNormArgs a = BatchNormArgs.train(gt, up(b, be, c), 1e-5f, mean, var);
                        b.batchNorm(a, xt, false, y);
                        Tensor dx = b.zeros(s), dg = b.zeros(c), db = b.zeros(c);
                        b.batchNormBackward(a, xt, null, up(b, dy, s), dx, dg, db);
                        return down(b, dx, dg, db);
                    });
            check(
                    "batchNormBackward " + tag + " (dx only)",
                    1e-4,
                    b -> {
                        Tensor xt = up(b, x, s),
                                gt = up(b, g, c),
                                y = b.zeros(s),
                                mean = b.zeros(c),
                                var = b.zeros(c);
                        BatchNormArgs a = BatchNormArgs.train(gt, up(b, be, c), 1e-5f, mean, var);
                        b.batchNorm(a, xt, false, y);
                        Tensor dx = b.zeros(s);
                        b.batchNormBackward(a, xt, null, up(b, dy, s), dx, null, null);
                        // dx = γ/(m·σ)·(m·dy − Σdy − x̂·Σdy·x̂) cancels almost exactly when m =
                        // N·H·W is tiny (m = 2:
                        // x̂ = ±1): judge it on the scale of the cancelling terms, appended
                        // identically on both sides
                        return concat(
                                down(b, dx), new float[] {(float) cancellingScale(x, g, dy, s)});
                    });
        }
    }

    /**
     * The fused batch-norm paths: running statistics, counted forward and backward (with and
     * without ReLU).
     */
    void batchNormFused() {
        for (int c : new int[] {1, 20, 161}) {
            int[] s = {7, c, 1, 7}; // m = 49
            float[] rm = normal(c),
                    rv = uniform(c, 0.5f, 2f),
                    x = uniform(numel(s), -1f, 3f),
                    g = uniform(c, 0.5f, 1.5f),
                    be = normal(c);
            // the factor by value, or read by the kernel from a device scalar (inside a capture)
            for (boolean onDevice : new boolean[] {false, true})
                check(
                        "batchNorm running update"
                                + (onDevice ? ", factor on the device" : "")
                                + " c="
                                + c,
                        RED,
                        b -> {
                            Tensor a = up(b, rm, c), q = up(b, rv, c);
                            BatchNormArgs args =
                                    BatchNormArgs.train(
                                            up(b, g, c),
                                            up(b, be, c),
                                            1e-5f,
                                            b.zeros(c),
                                            b.zeros(c));
                            args =
                                    onDevice
                                            ? args.tracking(a, q, up(b, new float[] {1f / 3}, 1))
                                            : args.tracking(a, q, 0.1f);
                            b.batchNorm(args, up(b, x, s), false, b.zeros(s));
                            return down(b, a, q);
                        });
        }
        int[][] shapes = {{3, 5, 7, 9}, {10, 20, 32, 32}, {7, 160, 4, 4}, {2, 3, 1, 1}};
        int[][] counts = {
            {4, 1, 7}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {3, 12, 1, 9, 2, 10, 5}, {1, 2}
        };
        for (int k = 0; k < shapes.length; k++) {
            int[] s = shapes[k], w = counts[k];
            int c = s[1];
            float[] x = uniform(numel(s), -1f, 3f),
                    g = uniform(c, 0.5f, 1.5f),
                    be = normal(c),
                    dy = normal(numel(s));
            String tag = Arrays.toString(s);
            for (boolean relu : new boolean[] {false, true}) {
                check(
                        "batchNorm counted " + tag + (relu ? " relu" : "") + " (y, mean, var)",
                        5e-5,
                        b -> {
                            Tensor y = b.zeros(s), mean = b.zeros(c), var = b.zeros(c);
                            b.batchNorm(
                                    BatchNormArgs.train(up(b, g, c), up(b, be, c), 1e-5f, mean, var)
                                            .counted(w),
                                    up(b, x, s),
                                    relu,
                                    y);
                            return down(b, y, mean, var);
                        });
                check(
                        "batchNormBackward counted "
                                + tag
                                + (relu ? " relu" : "")
                                + " (dx, dGamma, dBeta)",
                        1e-4,
                        b -> {
                            Tensor xt = up(b, x, s),
                                    gt = up(b, g, c),
                                    y = b.zeros(s),
                                    mean = b.zeros(c),
                                    var = b.zeros(c);
                            BatchNormArgs a =
                                    BatchNormArgs.train(gt, up(b, be, c), 1e-5f, mean, var)
                                            .counted(w);
                            b.batchNorm(a, xt, relu, y);
                            Tensor dx = b.zeros(s), dg = b.zeros(c), db = b.zeros(c);
                            b.batchNormBackward(a, xt, relu ? y : null, up(b, dy, s), dx, dg, db);
                            return concat(
                                    down(b, dx, dg, db),
                                    new float[] {(float) cancellingScale(x, g, dy, s)});
                        });
            }
        }
    }

    void pooling() {
        int[][] cases = {
            {2, 3, 9, 7, 2, 2},
            {3, 5, 4, 4, 4, 4},
            {100, 160, 4, 4, 4, 4},
            {2, 2, 11, 11, 4, 4},
            {1, 2, 7, 7, 3, 2}
        };
        for (int[] c : cases) {
            int[] xs = {c[0], c[1], c[2], c[3]};
            int k = c[4],
                    st = c[5],
                    ho = Shape.convOut(c[2], k, st, 0),
                    wo = Shape.convOut(c[3], k, st, 0);
            int[] ys = {c[0], c[1], ho, wo};
            float[] x = normal(numel(xs)), dy = normal(numel(ys));
            String tag = Arrays.toString(xs) + " k" + k + " s" + st;
            check(
                    "avgPool2d " + tag,
                    EW * 2,
                    b -> {
                        Tensor y = b.zeros(ys);
                        b.avgPool2d(up(b, x, xs), k, st, y);
                        return down(b, y);
                    });
            check(
                    "avgPool2dBackward " + tag,
                    EW * 2,
                    b -> {
                        Tensor dx =
                                up(
                                        b,
                                        normal(numel(xs)),
                                        xs); // overwritten, uncovered cells become 0
                        b.avgPool2dBackward(up(b, dy, ys), k, st, dx);
                        return down(b, dx);
                    });
            if (gpu instanceof CudaBackend cb) { // our kernel twin of cuDNN's pooling
                check(
                        "avgPool2d own kernel " + tag,
                        EW * 2,
                        b -> {
                            Tensor y = b.zeros(ys);
                            if (b == gpu) cb.avgPool2dOwn(up(b, x, xs), k, st, y);
                            else b.avgPool2d(up(b, x, xs), k, st, y);
                            return down(b, y);
                        });
                check(
                        "avgPool2dBackward own kernel " + tag,
                        EW * 2,
                        b -> {
                            Tensor dx = b.zeros(xs);
                            if (b == gpu) cb.avgPool2dBackwardOwn(up(b, dy, ys), k, st, dx);
                            else b.avgPool2dBackward(up(b, dy, ys), k, st, dx);
                            return down(b, dx);
                        });
            }
        }
    }

    /**
     * ARM's fused image prior λ5·R_L2 + λ6·R_TV (prior.cu): the value with both terms alone, and
     * dx, with and without counts, on odd shapes and on MNIST's and CIFAR's.
     */
    void imagePrior() {
        int[][] shapes = {{3, 2, 5, 4}, {20, 1, 28, 28}, {37, 3, 32, 32}, {1, 3, 7, 2}};
        for (int[] sh : shapes) {
            int u = sh[0], c = sh[1], h = sh[2], w = sh[3];
            int[] counts = new int[u];
            for (int i = 0; i < u; i++) counts[i] = 1 + rnd.nextInt(9);
            float[] x = normal(numel(sh)), dy = {0.75f};
            for (int[] n : new int[][] {null, counts}) {
                String tag = Arrays.toString(sh) + (n == null ? "" : " counted");
                check(
                        "imagePrior " + tag + " (loss, R_L2, R_TV)",
                        RED,
                        b -> {
                            Tensor out = b.zeros(1), l2 = b.zeros(1), tv = b.zeros(1);
                            b.imagePrior(up(b, x, sh), c, h, w, n, 0.7f, 1.3f, out, l2, tv);
                            return down(b, out, l2, tv);
                        });
                check(
                        "imagePriorBackward " + tag,
                        RED,
                        b -> {
                            Tensor dx = b.zeros(sh);
                            b.imagePriorBackward(
                                    up(b, x, sh), c, h, w, n, 0.7f, 1.3f, up(b, dy, 1), dx);
                            return down(b, dx);
                        });
            }
        }
    }

    /**
     * ARM's fused logit terms (logits.cu): the loss with the five terms alone and the column mean,
     * and da, db, for each divergence form, with and without counts, on odd shapes and on MNIST's
     * and CIFAR10's (M = 100 replicated, or 10 distinct images counted), K = 100 too.
     */
    void logitTerms() {
        int[][] shapes = {{3, 5}, {10, 10}, {100, 10}, {37, 100}, {1, 2}};
        for (int[] sh : shapes) {
            int u = sh[0], k = sh[1];
            int[] counts = new int[u], mask = new int[k];
            for (int i = 0; i < u; i++) counts[i] = 1 + rnd.nextInt(9);
            for (int j = 0; j < k; j += 3) mask[j] = 1;
            float[] a = normal(u * k), b = normal(u * k), dy = {0.75f};
            for (int kind = 0; kind < 3; kind++) {
                LogitWeights w = new LogitWeights(kind, 0.9f, 0.6f, 0.4f, 1.3f, 0.7f);
                for (int[] n : new int[][] {null, counts}) {
                    String tag = Arrays.toString(sh) + " D" + kind + (n == null ? "" : " counted");
                    check(
                            "logitTerms " + tag + " (loss, terms, column mean)",
                            RED,
                            be -> {
                                Tensor out = be.zeros(1), mean = be.zeros(k);
                                Tensor[] t = new Tensor[5];
                                for (int i = 0; i < 5; i++) t[i] = be.zeros(1);
                                be.logitTerms(
                                        up(be, a, u, k), up(be, b, u, k), mask, n, w, out, t, mean);
                                return down(be, out, t[0], t[1], t[2], t[3], t[4], mean);
                            });
                    check(
                            "logitTermsBackward " + tag,
                            RED,
                            be -> {
                                Tensor ta = up(be, a, u, k),
                                        tb = up(be, b, u, k),
                                        mean = be.zeros(k);
                                be.logitTerms(ta, tb, mask, n, w, be.zeros(1), null, mean);
                                Tensor da = be.zeros(u, k), db = be.zeros(u, k);
                                be.logitTermsBackward(
                                        ta, tb, mask, n, w, mean, up(be, dy, 1), da, db);
                                return down(be, da, db);
                            });
                }
            }
        }
    }
}

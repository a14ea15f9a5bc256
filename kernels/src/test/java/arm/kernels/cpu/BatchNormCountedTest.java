package arm.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import arm.kernels.cpu.fast.BatchNormFast;
import arm.kernels.cpu.ref.BatchNormRef;
import arm.tensor.Backend;
import arm.tensor.Tensor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The counted batch norm (a batch stored as distinct samples with multiplicities, ALGORITHM.md
 * §2.1): the naive counted form against the plain naive form on the replicated batch, the fast form
 * against the naive one on odd shapes, and Backend's default composition (what a GPU backend runs)
 * against the CPU kernels.
 */
class BatchNormCountedTest {
    static final float EPS = 1e-5f;

    static float[] rand(SplittableRandom r, int n, double lo, double hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return a;
    }

    static int[] counts(SplittableRandom r, int n) {
        int[] w = new int[n];
        for (int i = 0; i < n; i++) w[i] = 1 + r.nextInt(13);
        return w;
    }

    /** The replicated batch: sample b repeated counts[b] times, in order. */
    static float[] replicate(float[] x, int[] counts, int per) {
        int m = 0;
        for (int k : counts) m += k;
        float[] out = new float[m * per];
        for (int b = 0, i = 0; b < counts.length; b++)
            for (int k = 0; k < counts[b]; k++, i++)
                System.arraycopy(x, b * per, out, i * per, per);
        return out;
    }

    static void close(String what, float[] ours, float[] ref, double tol) {
        double scale = 0;
        for (float v : ref) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < ref.length; i++)
            if (!(Math.abs(ours[i] - ref[i]) <= tol * (1 + scale)))
                throw new AssertionError(what + " at " + i + ": " + ours[i] + " vs " + ref[i]);
    }

    @Test
    void countedEqualsTheReplicatedBatch() {
        SplittableRandom r = new SplittableRandom(7);
        for (int n : new int[] {1, 3, 10})
            for (int c : new int[] {1, 5})
                for (int hw : new int[] {1, 7, 33}) {
                    int per = c * hw, size = n * per;
                    int[] w = counts(r, n);
                    float[] x = rand(r, size, 1.5, 4), dy = rand(r, size, -1, 1);
                    float[] g = rand(r, c, 0.5, 1.5), bt = rand(r, c, -0.5, 0.5);
                    float[] xr = replicate(x, w, per), dyr = replicate(dy, w, per);
                    int m = xr.length / per;
                    // one distinct value per channel: zero variance, where dx is rounding noise
                    // times 1/√ε
                    if (n * hw < 2) continue;
                    String s = "n=" + n + " c=" + c + " hw=" + hw;
                    float[] y = new float[size], mu = new float[c], var = new float[c];
                    float[] yr = new float[xr.length], mur = new float[c], varr = new float[c];
                    BatchNormRef.forwardTrain(x, w, g, bt, EPS, y, mu, var, n, c, hw);
                    BatchNormRef.forwardTrain(xr, g, bt, EPS, yr, mur, varr, m, c, hw);
                    close(s + " mean", mu, mur, 1e-6);
                    close(s + " var", var, varr, 1e-6);
                    close(s + " y", replicate(y, w, per), yr, 1e-6);
                    // dy of the counted loss is the copies' sum: w_b·dy_b; dx is then the copies'
                    // sum
                    float[] dyw = new float[size];
                    for (int i = 0; i < size; i++) dyw[i] = w[i / per] * dy[i];
                    float[] dx = new float[size], dg = new float[c], db = new float[c];
                    float[] dxr = new float[xr.length], dgr = new float[c], dbr = new float[c];
                    BatchNormRef.backward(x, w, dyw, g, mu, var, EPS, dx, dg, db, n, c, hw);
                    BatchNormRef.backward(xr, dyr, g, mur, varr, EPS, dxr, dgr, dbr, m, c, hw);
                    close(s + " dgamma", dg, dgr, 1e-5);
                    close(s + " dbeta", db, dbr, 1e-5);
                    float[] dxSum = new float[size];
                    for (int b = 0, i = 0; b < n; b++)
                        for (int k = 0; k < w[b]; k++, i++)
                            for (int j = 0; j < per; j++) dxSum[b * per + j] += dxr[i * per + j];
                    close(s + " dx", dx, dxSum, 1e-5);
                }
    }

    @Test
    void fastCountedMatchesNaiveAndNullCountsAreThePlainKernel() {
        SplittableRandom r = new SplittableRandom(8);
        for (int n : new int[] {1, 3, 10})
            for (int c : new int[] {1, 3, 5})
                for (int hw : new int[] {1, 7, 11 * 11, 33}) {
                    if (n * hw < 2) continue;
                    int size = n * c * hw;
                    int[] w = counts(r, n);
                    float[] x = rand(r, size, 1.5, 4), dy = rand(r, size, -1, 1);
                    float[] g = rand(r, c, 0.5, 1.5), b = rand(r, c, -0.5, 0.5);
                    String s = "n=" + n + " c=" + c + " hw=" + hw;
                    for (boolean relu : new boolean[] {false, true}) {
                        float[] y1 = new float[size],
                                y2 = new float[size],
                                m1 = new float[c],
                                m2 = new float[c],
                                v1 = new float[c],
                                v2 = new float[c];
                        if (relu)
                            BatchNormFast.forwardTrainRelu(
                                    x, w, g, b, EPS, y1, m1, v1, n, c, hw, 0, c);
                        else
                            BatchNormFast.forwardTrain(x, w, g, b, EPS, y1, m1, v1, n, c, hw, 0, c);
                        BatchNormRef.forwardTrain(x, w, g, b, EPS, y2, m2, v2, n, c, hw);
                        if (relu) for (int i = 0; i < size; i++) y2[i] = Math.max(y2[i], 0f);
                        close(s + " relu=" + relu + " mean", m1, m2, 1e-6);
                        close(s + " relu=" + relu + " var", v1, v2, 1e-5);
                        close(s + " relu=" + relu + " y", y1, y2, 1e-4);
                        float[] dz = dy.clone();
                        if (relu) for (int i = 0; i < size; i++) if (!(y2[i] > 0)) dz[i] = 0;
                        float[] dx1 = new float[size],
                                dx2 = new float[size],
                                dg1 = new float[c],
                                dg2 = new float[c],
                                db1 = new float[c],
                                db2 = new float[c];
                        if (relu)
                            BatchNormFast.backwardRelu(
                                    x, w, y2, dy, g, m2, v2, EPS, dx1, dg1, db1, n, c, hw, 0, c);
                        else
                            BatchNormFast.backward(
                                    x, w, dy, g, m2, v2, EPS, dx1, dg1, db1, n, c, hw, 0, c);
                        BatchNormRef.backward(x, w, dz, g, m2, v2, EPS, dx2, dg2, db2, n, c, hw);
                        close(s + " relu=" + relu + " dx", dx1, dx2, 1e-4);
                        close(s + " relu=" + relu + " dgamma", dg1, dg2, 1e-4);
                        close(s + " relu=" + relu + " dbeta", db1, db2, 1e-5);
                    }
                    // counts = null: the same bits as the plain kernels
                    float[] y1 = new float[size],
                            y2 = new float[size],
                            m1 = new float[c],
                            m2 = new float[c],
                            v1 = new float[c],
                            v2 = new float[c];
                    BatchNormFast.forwardTrain(x, null, g, b, EPS, y1, m1, v1, n, c, hw, 0, c);
                    BatchNormFast.forwardTrain(x, g, b, EPS, y2, m2, v2, n, c, hw);
                    assertThat(y1).containsExactly(y2);
                    BatchNormRef.forwardTrain(x, null, g, b, EPS, y1, m1, v1, n, c, hw);
                    BatchNormRef.forwardTrain(x, g, b, EPS, y2, m2, v2, n, c, hw);
                    assertThat(y1).containsExactly(y2);
                }
    }

    /** CpuBackend with the two counted methods left to Backend's default composition. */
    static Backend defaultsOnly(Backend real) {
        InvocationHandler h =
                (proxy, m, args) -> {
                    if (m.getName().endsWith("Counted"))
                        return InvocationHandler.invokeDefault(proxy, m, args);
                    try {
                        return m.invoke(real, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                };
        return (Backend)
                Proxy.newProxyInstance(
                        Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, h);
    }

    @Test
    void defaultCompositionMatchesTheCpuKernels() {
        Backend cpu = new CpuBackend(), comp = defaultsOnly(cpu);
        SplittableRandom r = new SplittableRandom(9);
        int n = 4, c = 3, h = 5, wd = 7, size = n * c * h * wd;
        int[] w = counts(r, n);
        Tensor x = Tensor.of(rand(r, size, -2, 2), n, c, h, wd),
                dy = Tensor.of(rand(r, size, -1, 1), n, c, h, wd);
        Tensor g = Tensor.of(rand(r, c, 0.5, 1.5), c), b = Tensor.of(rand(r, c, -0.3, 0.3), c);
        for (boolean relu : new boolean[] {false, true}) {
            Tensor[] a = run(cpu, x, w, g, b, dy, relu), e = run(comp, x, w, g, b, dy, relu);
            String[] names = {"y", "mean", "var", "dx", "dgamma", "dbeta"};
            for (int i = 0; i < a.length; i++)
                close("relu=" + relu + " " + names[i], e[i].toArray(), a[i].toArray(), 2e-5);
        }
    }

    static Tensor[] run(
            Backend be, Tensor x, int[] w, Tensor g, Tensor b, Tensor dy, boolean relu) {
        int c = g.numel();
        Tensor y = be.zeros(x.shape), mean = be.zeros(c), var = be.zeros(c);
        be.batchNormTrainCounted(x, w, g, b, EPS, relu, y, mean, var);
        Tensor dx = be.zeros(x.shape), dg = be.zeros(c), db = be.zeros(c);
        be.batchNormBackwardCounted(x, w, relu ? y : null, dy, g, mean, var, EPS, dx, dg, db);
        return new Tensor[] {y, mean, var, dx, dg, db};
    }
}

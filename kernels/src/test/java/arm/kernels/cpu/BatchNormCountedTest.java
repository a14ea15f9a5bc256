package arm.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import arm.kernels.cpu.fast.BatchNormFast;
import arm.kernels.cpu.ref.BatchNormArrays;
import arm.kernels.cpu.ref.BatchNormRef;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The counted batch norm (a batch stored as distinct samples with multiplicities, ALGORITHM.md
 * §2.1): the naive counted form against the plain naive form on the replicated batch (outputs,
 * gradients, running statistics), the fast form against the naive one on odd shapes.
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
                    BatchNormArrays counted = train(n, c, hw, w, g, bt, mu, var),
                            replicated = train(m, c, hw, null, g, bt, mur, varr);
                    BatchNormRef.forward(counted, x, false, y);
                    BatchNormRef.forward(replicated, xr, false, yr);
                    close(s + " mean", mu, mur, 1e-6);
                    close(s + " var", var, varr, 1e-6);
                    close(s + " y", replicate(y, w, per), yr, 1e-6);
                    // dy of the counted loss is the copies' sum: w_b·dy_b; dx is then the copies'
                    // sum
                    float[] dyw = new float[size];
                    for (int i = 0; i < size; i++) dyw[i] = w[i / per] * dy[i];
                    float[] dx = new float[size], dg = new float[c], db = new float[c];
                    float[] dxr = new float[xr.length], dgr = new float[c], dbr = new float[c];
                    BatchNormRef.backward(counted, x, null, dyw, dx, dg, db);
                    BatchNormRef.backward(replicated, xr, null, dyr, dxr, dgr, dbr);
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
                        BatchNormFast.forward(train(n, c, hw, w, g, b, m1, v1), x, relu, y1, 0, c);
                        BatchNormArrays naive = train(n, c, hw, w, g, b, m2, v2);
                        BatchNormRef.forward(naive, x, false, y2);
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
                        BatchNormFast.backward(naive, x, relu ? y2 : null, dy, dx1, dg1, db1, 0, c);
                        BatchNormRef.backward(naive, x, null, dz, dx2, dg2, db2);
                        close(s + " relu=" + relu + " dx", dx1, dx2, 1e-4);
                        close(s + " relu=" + relu + " dgamma", dg1, dg2, 1e-4);
                        close(s + " relu=" + relu + " dbeta", db1, db2, 1e-5);
                    }
                    // counts of 1: the same bits as counts = null
                    int[] ones = new int[n];
                    java.util.Arrays.fill(ones, 1);
                    float[] y1 = new float[size],
                            y2 = new float[size],
                            m1 = new float[c],
                            m2 = new float[c],
                            v1 = new float[c],
                            v2 = new float[c];
                    BatchNormFast.forward(train(n, c, hw, ones, g, b, m1, v1), x, false, y1, 0, c);
                    BatchNormFast.forward(train(n, c, hw, null, g, b, m2, v2), x, false, y2, 0, c);
                    assertThat(y1).containsExactly(y2);
                    float[] dx1 = new float[size], dx2 = new float[size];
                    BatchNormFast.backward(
                            train(n, c, hw, ones, g, b, m2, v2),
                            x,
                            null,
                            dy,
                            dx1,
                            null,
                            null,
                            0,
                            c);
                    BatchNormFast.backward(
                            train(n, c, hw, null, g, b, m2, v2),
                            x,
                            null,
                            dy,
                            dx2,
                            null,
                            null,
                            0,
                            c);
                    assertThat(dx1).containsExactly(dx2);
                }
    }

    /** The counted running-statistics update equals the replicated batch's. */
    @Test
    void countedRunningUpdateEqualsTheReplicatedBatch() {
        SplittableRandom r = new SplittableRandom(9);
        int n = 4, c = 3, hw = 35, per = c * hw;
        int[] w = counts(r, n);
        float[] x = rand(r, n * per, -2, 2), g = rand(r, c, 0.5, 1.5), b = rand(r, c, -0.3, 0.3);
        float[] xr = replicate(x, w, per);
        float[] rm = rand(r, c, -0.5, 0.5), rv = rand(r, c, 0.5, 2);
        float[] rm1 = rm.clone(), rv1 = rv.clone(), rm2 = rm.clone(), rv2 = rv.clone();
        BatchNormRef.forward(
                new BatchNormArrays(
                        n, c, hw, true, g, b, EPS, new float[c], new float[c], w, rm1, rv1, 0.1f),
                x,
                false,
                new float[x.length]);
        BatchNormRef.forward(
                new BatchNormArrays(
                        xr.length / per,
                        c,
                        hw,
                        true,
                        g,
                        b,
                        EPS,
                        new float[c],
                        new float[c],
                        null,
                        rm2,
                        rv2,
                        0.1f),
                xr,
                false,
                new float[xr.length]);
        close("running mean", rm1, rm2, 1e-6);
        close("running var", rv1, rv2, 1e-6);
    }

    static BatchNormArrays train(
            int n, int c, int hw, int[] counts, float[] g, float[] b, float[] mean, float[] var) {
        return new BatchNormArrays(n, c, hw, true, g, b, EPS, mean, var, counts, null, null, 0f);
    }
}

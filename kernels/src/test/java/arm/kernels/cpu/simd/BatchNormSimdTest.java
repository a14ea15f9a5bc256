package arm.kernels.cpu.simd;

import static org.assertj.core.api.Assertions.assertThat;

import arm.kernels.cpu.fast.ReluFast;
import arm.kernels.cpu.ref.BatchNormArrays;
import arm.kernels.cpu.ref.BatchNormRef;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Vector API batch norm against its naive twin on odd shapes (planes of 1, 7, 16, 33, 121
 * values: shorter than, off and on the vector width), random data with an offset mean, plain and
 * fused with the ReLU, whole and by channel ranges.
 */
class BatchNormSimdTest {

    static float[] rand(SplittableRandom r, int n, double lo, double hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return a;
    }

    static void close(String what, float[] ours, float[] ref, double tol) {
        double scale = 0;
        for (float v : ref) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < ref.length; i++)
            if (!(Math.abs(ours[i] - ref[i]) <= tol * (1 + scale)))
                throw new AssertionError(
                        what + " at " + i + ": simd " + ours[i] + ", naive " + ref[i]);
    }

    /** Training arguments, counts null or [n], no running statistics. */
    static BatchNormArrays train(
            int n, int c, int hw, int[] counts, float[] g, float[] b, float[] mean, float[] var) {
        return new BatchNormArrays(n, c, hw, true, g, b, 1e-5f, mean, var, counts, null, null, 0f);
    }

    @Test
    void trainAndBackwardMatchNaive() {
        SplittableRandom r = new SplittableRandom(6);
        int cases = 0;
        for (int n : new int[] {1, 3, 10})
            for (int c : new int[] {1, 3, 5})
                for (int hw : new int[] {1, 7, 16, 33, 11 * 11}) {
                    if (n * hw < 2) continue;
                    int size = n * c * hw;
                    float[] x = rand(r, size, 1.5, 4), dy = rand(r, size, -1, 1);
                    float[] g = rand(r, c, 0.5, 1.5),
                            b = rand(r, c, -0.5, 0.5); // about half the ReLUs pass
                    String s = "n=" + n + " c=" + c + " hw=" + hw;
                    float[] y1 = new float[size],
                            y2 = new float[size],
                            m1 = new float[c],
                            m2 = new float[c],
                            v1 = new float[c],
                            v2 = new float[c];
                    BatchNormSimd.forward(train(n, c, hw, null, g, b, m1, v1), x, false, y1, 0, c);
                    BatchNormArrays naive = train(n, c, hw, null, g, b, m2, v2);
                    BatchNormRef.forward(naive, x, false, y2);
                    close(s + " mean", m1, m2, 1e-6);
                    close(s + " var", v1, v2, 1e-5);
                    close(s + " y", y1, y2, 1e-4);
                    float[] dx1 = new float[size],
                            dx2 = new float[size],
                            dg1 = new float[c],
                            dg2 = new float[c],
                            db1 = new float[c],
                            db2 = new float[c];
                    BatchNormSimd.backward(naive, x, null, dy, dx1, dg1, db1, 0, c);
                    BatchNormRef.backward(naive, x, null, dy, dx2, dg2, db2);
                    close(s + " dx", dx1, dx2, 1e-4);
                    close(s + " dgamma", dg1, dg2, 1e-4);
                    close(s + " dbeta", db1, db2, 1e-5);
                    BatchNormSimd.backward(naive, x, null, dy, null, dg1, null, 0, c);
                    close(s + " dgamma alone", dg1, dg2, 1e-4);
                    if (c > 1) { // a thread's share: channels [1, c) only, the others untouched
                        float[] part = new float[size];
                        BatchNormSimd.backward(naive, x, null, dy, part, null, null, 1, c);
                        for (int bb = 0; bb < n; bb++)
                            for (int i = 0; i < hw; i++) assertThat(part[bb * c * hw + i]).isZero();
                        BatchNormSimd.backward(naive, x, null, dy, part, null, null, 0, 1);
                        close(s + " dx by channel ranges", part, dx2, 1e-4);
                    }
                    // fused BN → ReLU against BN then the ReLU loops
                    BatchNormSimd.forward(train(n, c, hw, null, g, b, m1, v1), x, true, y1, 0, c);
                    BatchNormRef.forward(naive, x, false, y2);
                    ReluFast.forward(y2, y2, size);
                    close(s + " relu y", y1, y2, 1e-4);
                    float[] dz = new float[size];
                    ReluFast.backward(y2, dy, dz, size);
                    BatchNormSimd.backward(naive, x, y2, dy, dx1, dg1, db1, 0, c);
                    BatchNormRef.backward(naive, x, null, dz, dx2, dg2, db2);
                    close(s + " relu dx", dx1, dx2, 1e-4);
                    close(s + " relu dgamma", dg1, dg2, 1e-4);
                    close(s + " relu dbeta", db1, db2, 1e-5);
                    cases++;
                }
        assertThat(cases).isGreaterThan(40);
    }

    /** The counted form (multiplicities per sample) against the naive counted kernel. */
    @Test
    void countedFormMatchesNaive() {
        SplittableRandom r = new SplittableRandom(9);
        for (int n : new int[] {1, 3, 7})
            for (int hw : new int[] {1, 16, 33}) {
                int c = 3, size = n * c * hw;
                int[] counts = new int[n];
                for (int i = 0; i < n; i++) counts[i] = 1 + r.nextInt(5);
                if (n * hw < 2 && counts[0] < 2) continue;
                float[] x = rand(r, size, 1.5, 4),
                        dy = rand(r, size, -1, 1),
                        g = rand(r, c, 0.5, 1.5),
                        b = rand(r, c, -0.5, 0.5);
                String s = "counted n=" + n + " hw=" + hw;
                float[] y1 = new float[size],
                        y2 = new float[size],
                        m1 = new float[c],
                        m2 = new float[c],
                        v1 = new float[c],
                        v2 = new float[c];
                BatchNormSimd.forward(train(n, c, hw, counts, g, b, m1, v1), x, false, y1, 0, c);
                BatchNormArrays naive = train(n, c, hw, counts, g, b, m2, v2);
                BatchNormRef.forward(naive, x, false, y2);
                close(s + " mean", m1, m2, 1e-6);
                close(s + " var", v1, v2, 1e-5);
                close(s + " y", y1, y2, 1e-4);
                float[] dx1 = new float[size],
                        dx2 = new float[size],
                        dg1 = new float[c],
                        dg2 = new float[c],
                        db1 = new float[c],
                        db2 = new float[c];
                BatchNormSimd.backward(naive, x, null, dy, dx1, dg1, db1, 0, c);
                BatchNormRef.backward(naive, x, null, dy, dx2, dg2, db2);
                close(s + " dx", dx1, dx2, 1e-4);
                close(s + " dgamma", dg1, dg2, 1e-4);
                close(s + " dbeta", db1, db2, 1e-5);
            }
    }

    /** The counted form on distinct samples equals the plain form on the replicated batch. */
    @Test
    void countedEqualsReplicated() {
        SplittableRandom r = new SplittableRandom(10);
        int n = 4, c = 3, hw = 64;
        int[] counts = {3, 1, 4, 2};
        int m = 10, size = n * c * hw;
        float[] x = rand(r, size, -1, 3), g = rand(r, c, 0.5, 1.5), b = rand(r, c, -0.5, 0.5);
        float[] xr = new float[m * c * hw];
        int[] src = new int[m];
        for (int i = 0, k = 0; i < n; i++)
            for (int j = 0; j < counts[i]; j++, k++) {
                src[k] = i;
                System.arraycopy(x, i * c * hw, xr, k * c * hw, c * hw);
            }
        for (boolean relu : new boolean[] {false, true}) {
            float[] y = new float[size], mu = new float[c], var = new float[c];
            float[] yr = new float[xr.length], mur = new float[c], varr = new float[c];
            BatchNormArrays counted = train(n, c, hw, counts, g, b, mu, var),
                    replicated = train(m, c, hw, null, g, b, mur, varr);
            BatchNormSimd.forward(counted, x, relu, y, 0, c);
            BatchNormSimd.forward(replicated, xr, relu, yr, 0, c);
            close("counted mean", mu, mur, 1e-6);
            close("counted var", var, varr, 1e-6);
            float[] yFromR = new float[size];
            for (int k = 0; k < m; k++)
                System.arraycopy(yr, k * c * hw, yFromR, src[k] * c * hw, c * hw);
            close("counted y", y, yFromR, 1e-6);
            // the copies' upstream gradients, summed per distinct sample for the counted form
            float[] dyr = rand(r, xr.length, -1, 1), dy = new float[size];
            for (int k = 0; k < m; k++)
                for (int i = 0; i < c * hw; i++) dy[src[k] * c * hw + i] += dyr[k * c * hw + i];
            float[] dx = new float[size],
                    dxr = new float[xr.length],
                    dg = new float[c],
                    dgr = new float[c],
                    db = new float[c],
                    dbr = new float[c];
            BatchNormSimd.backward(counted, x, relu ? y : null, dy, dx, dg, db, 0, c);
            BatchNormSimd.backward(replicated, xr, relu ? yr : null, dyr, dxr, dgr, dbr, 0, c);
            close("counted dgamma", dg, dgr, 1e-5);
            close("counted dbeta", db, dbr, 1e-5);
            float[] dxSum = new float[size];
            for (int k = 0; k < m; k++)
                for (int i = 0; i < c * hw; i++) dxSum[src[k] * c * hw + i] += dxr[k * c * hw + i];
            close("counted dx (sum of the copies')", dx, dxSum, 1e-5);
        }
    }
}

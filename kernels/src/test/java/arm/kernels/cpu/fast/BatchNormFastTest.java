package arm.kernels.cpu.fast;

import static org.assertj.core.api.Assertions.assertThat;

import arm.kernels.cpu.ref.BatchNormArrays;
import arm.kernels.cpu.ref.BatchNormRef;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The fast batch norm against its naive twin on odd shapes, random data with an offset mean. */
class BatchNormFastTest {

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
                        what + " at " + i + ": fast " + ours[i] + ", naive " + ref[i]);
    }

    /** Training (or eval) arguments without counts, tracking the given running statistics. */
    static BatchNormArrays args(
            int n,
            int c,
            int hw,
            boolean training,
            float[] g,
            float[] b,
            float[] mean,
            float[] var,
            float[] rm,
            float[] rv) {
        return new BatchNormArrays(n, c, hw, training, g, b, 1e-5f, mean, var, null, rm, rv, 0.1f);
    }

    @Test
    void trainEvalAndBackwardMatchNaive() {
        SplittableRandom r = new SplittableRandom(5);
        for (int n : new int[] {1, 3, 10})
            for (int c : new int[] {1, 3, 5})
                for (int hw : new int[] {1, 7, 11 * 11, 33}) {
                    if (n * hw < 2) continue;
                    int size = n * c * hw;
                    float[] x = rand(r, size, 1.5, 4), dy = rand(r, size, -1, 1);
                    float[] g = rand(r, c, 0.5, 1.5),
                            b = rand(r, c, -0.5, 0.5); // about half the ReLUs pass
                    float[] rm = rand(r, c, -0.5, 0.5), rv = rand(r, c, 0.5, 2);
                    String s = "n=" + n + " c=" + c + " hw=" + hw;
                    float[] y1 = new float[size],
                            y2 = new float[size],
                            m1 = new float[c],
                            m2 = new float[c],
                            v1 = new float[c],
                            v2 = new float[c],
                            rm1 = rm.clone(),
                            rm2 = rm.clone(),
                            rv1 = rv.clone(),
                            rv2 = rv.clone();
                    BatchNormArrays fast = args(n, c, hw, true, g, b, m1, v1, rm1, rv1),
                            naive = args(n, c, hw, true, g, b, m2, v2, rm2, rv2);
                    BatchNormFast.forward(fast, x, false, y1, 0, c);
                    BatchNormRef.forward(naive, x, false, y2);
                    close(s + " mean", m1, m2, 1e-6);
                    close(s + " var", v1, v2, 1e-5);
                    close(s + " y", y1, y2, 1e-4);
                    close(s + " running mean", rm1, rm2, 1e-6);
                    close(s + " running var", rv1, rv2, 1e-5);
                    BatchNormArrays eval = args(n, c, hw, false, g, b, m2, v2, null, null);
                    BatchNormFast.forward(eval, x, false, y1, 0, c);
                    BatchNormRef.forward(eval, x, false, y2);
                    close(s + " eval y", y1, y2, 1e-6);
                    float[] dx1 = new float[size],
                            dx2 = new float[size],
                            dg1 = new float[c],
                            dg2 = new float[c],
                            db1 = new float[c],
                            db2 = new float[c];
                    BatchNormFast.backward(naive, x, null, dy, dx1, dg1, db1, 0, c);
                    BatchNormRef.backward(naive, x, null, dy, dx2, dg2, db2);
                    close(s + " dx", dx1, dx2, 1e-4);
                    close(s + " dgamma", dg1, dg2, 1e-4);
                    close(s + " dbeta", db1, db2, 1e-5);
                    BatchNormFast.backward(naive, x, null, dy, null, dg1, null, 0, c);
                    close(s + " dgamma alone", dg1, dg2, 1e-4);
                    // a thread's share: channels [1, c) only, the others untouched
                    if (c > 1) {
                        float[] part = new float[size];
                        BatchNormFast.backward(naive, x, null, dy, part, null, null, 1, c);
                        for (int bb = 0; bb < n; bb++)
                            for (int i = 0; i < hw; i++) assertThat(part[bb * c * hw + i]).isZero();
                        BatchNormFast.backward(naive, x, null, dy, part, null, null, 0, 1);
                        close(s + " dx by channel ranges", part, dx2, 1e-4);
                    }
                    // the fused BN → ReLU pair against BN then the ReLU loops
                    BatchNormFast.forward(fast, x, true, y1, 0, c);
                    BatchNormRef.forward(naive, x, false, y2);
                    ReluFast.forward(y2, y2, size);
                    close(s + " relu y", y1, y2, 1e-4);
                    float[] dz = new float[size];
                    ReluFast.backward(y2, dy, dz, size);
                    BatchNormFast.backward(naive, x, y2, dy, dx1, dg1, db1, 0, c);
                    BatchNormRef.backward(naive, x, null, dz, dx2, dg2, db2);
                    close(s + " relu dx", dx1, dx2, 1e-4);
                    close(s + " relu dgamma", dg1, dg2, 1e-4);
                    close(s + " relu dbeta", db1, db2, 1e-5);
                }
    }
}

package arm.kernels.cpu.fast;

import static org.assertj.core.api.Assertions.assertThat;

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
                    String s = "n=" + n + " c=" + c + " hw=" + hw;
                    float[] y1 = new float[size],
                            y2 = new float[size],
                            m1 = new float[c],
                            m2 = new float[c],
                            v1 = new float[c],
                            v2 = new float[c];
                    BatchNormFast.forwardTrain(x, g, b, 1e-5f, y1, m1, v1, n, c, hw);
                    BatchNormRef.forwardTrain(x, g, b, 1e-5f, y2, m2, v2, n, c, hw);
                    close(s + " mean", m1, m2, 1e-6);
                    close(s + " var", v1, v2, 1e-5);
                    close(s + " y", y1, y2, 1e-4);
                    BatchNormFast.forwardEval(x, g, b, m2, v2, 1e-5f, y1, n, c, hw);
                    BatchNormRef.forwardEval(x, g, b, m2, v2, 1e-5f, y2, n, c, hw);
                    close(s + " eval y", y1, y2, 1e-6);
                    float[] dx1 = new float[size],
                            dx2 = new float[size],
                            dg1 = new float[c],
                            dg2 = new float[c],
                            db1 = new float[c],
                            db2 = new float[c];
                    BatchNormFast.backward(x, dy, g, m2, v2, 1e-5f, dx1, dg1, db1, n, c, hw);
                    BatchNormRef.backward(x, dy, g, m2, v2, 1e-5f, dx2, dg2, db2, n, c, hw);
                    close(s + " dx", dx1, dx2, 1e-4);
                    close(s + " dgamma", dg1, dg2, 1e-4);
                    close(s + " dbeta", db1, db2, 1e-5);
                    BatchNormFast.backward(x, dy, g, m2, v2, 1e-5f, null, dg1, null, n, c, hw);
                    close(s + " dgamma alone", dg1, dg2, 1e-4);
                    // a thread's share: channels [1, c) only, the others untouched
                    if (c > 1) {
                        float[] part = new float[size];
                        BatchNormFast.backward(
                                x, dy, g, m2, v2, 1e-5f, part, null, null, n, c, hw, 1, c);
                        for (int bb = 0; bb < n; bb++)
                            for (int i = 0; i < hw; i++) assertThat(part[bb * c * hw + i]).isZero();
                        BatchNormFast.backward(
                                x, dy, g, m2, v2, 1e-5f, part, null, null, n, c, hw, 0, 1);
                        close(s + " dx by channel ranges", part, dx2, 1e-4);
                    }
                    // the fused BN → ReLU pair against BN then the ReLU loops
                    BatchNormFast.forwardTrainRelu(x, g, b, 1e-5f, y1, m1, v1, n, c, hw);
                    BatchNormRef.forwardTrain(x, g, b, 1e-5f, y2, m2, v2, n, c, hw);
                    ReluFast.forward(y2, y2, size);
                    close(s + " relu y", y1, y2, 1e-4);
                    float[] dz = new float[size];
                    ReluFast.backward(y2, dy, dz, size);
                    BatchNormFast.backwardRelu(
                            x, y2, dy, g, m2, v2, 1e-5f, dx1, dg1, db1, n, c, hw);
                    BatchNormRef.backward(x, dz, g, m2, v2, 1e-5f, dx2, dg2, db2, n, c, hw);
                    close(s + " relu dx", dx1, dx2, 1e-4);
                    close(s + " relu dgamma", dg1, dg2, 1e-4);
                    close(s + " relu dbeta", db1, db2, 1e-5);
                }
    }
}

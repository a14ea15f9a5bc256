package arm.autograd;

import static arm.autograd.GradCheck.rand;

import arm.tensor.Tensor;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/** Gradient checks of matmul, softmax, gather and linear; the pattern every op test follows. */
class CoreOpsGradTest {

    @Test
    void matmulAllTransposes() {
        int m = 3, k = 5, n = 7;
        for (boolean ta : new boolean[] {false, true})
            for (boolean tb : new boolean[] {false, true}) {
                var a = rand(1, -1, 1, ta ? k : m, ta ? m : k);
                var b = rand(2, -1, 1, tb ? n : k, tb ? k : n);
                GradCheck.check(
                        "matmul ta=" + ta + " tb=" + tb,
                        v -> F.matmul(v[0], v[1], ta, tb),
                        x -> {
                            double[] y = new double[m * n];
                            for (int i = 0; i < m; i++)
                                for (int j = 0; j < n; j++)
                                    for (int p = 0; p < k; p++)
                                        y[i * n + j] +=
                                                (ta ? x[0][p * m + i] : x[0][i * k + p])
                                                        * (tb ? x[1][j * k + p] : x[1][p * n + j]);
                            return y;
                        },
                        a,
                        b);
            }
    }

    @Test
    void broadcastMulAndDiv() {
        var a = rand(3, 0.5, 2, 4, 3);
        var b = rand(4, 0.5, 2, 3);
        GradCheck.check(
                "mul [4,3]*[3]",
                v -> F.mul(v[0], v[1]),
                x -> {
                    double[] y = new double[12];
                    for (int i = 0; i < 12; i++) y[i] = x[0][i] * x[1][i % 3];
                    return y;
                },
                a,
                b);
        GradCheck.check(
                "div [4,3]/[3]",
                v -> F.div(v[0], v[1]),
                x -> {
                    double[] y = new double[12];
                    for (int i = 0; i < 12; i++) y[i] = x[0][i] / x[1][i % 3];
                    return y;
                },
                a,
                b);
    }

    @Test
    void logSoftmaxAndGather() {
        var z = rand(5, -2, 2, 3, 4);
        int[] idx = {1, 3, 0};
        GradCheck.check(
                "cross entropy",
                v -> F.crossEntropy(v[0], idx),
                x -> {
                    double s = 0;
                    for (int r = 0; r < 3; r++) {
                        double max = Double.NEGATIVE_INFINITY, sum = 0;
                        for (int c = 0; c < 4; c++) max = Math.max(max, x[0][r * 4 + c]);
                        for (int c = 0; c < 4; c++) sum += Math.exp(x[0][r * 4 + c] - max);
                        s -= x[0][r * 4 + idx[r]] - max - Math.log(sum);
                    }
                    return new double[] {s / 3};
                },
                z);
    }

    @Test
    void largeMatmulUsesTheDirectionalCheck() { // 2000 and 1500 elements > FULL_CHECK_MAX
        var a = rand(6, -1, 1, 40, 50);
        var b = rand(7, -1, 1, 50, 30);
        GradCheck.check(
                "matmul 40x50x30",
                v -> F.matmul(v[0], v[1]),
                x -> Ref64.matmul(x[0], x[1], 40, 50, 30),
                a,
                b);
    }

    @Test
    void softmaxAndLogSoftmax() {
        for (boolean log : new boolean[] {false, true}) {
            GradCheck.check(
                    (log ? "log_softmax" : "softmax") + " 3x5",
                    v -> log ? F.logSoftmax(v[0]) : F.softmax(v[0]),
                    x -> Ref64.softmax(x[0], 5, log),
                    rand(8, -3, 3, 3, 5));
            GradCheck.check(
                    (log ? "log_softmax" : "softmax") + " 30x40",
                    v -> log ? F.logSoftmax(v[0]) : F.softmax(v[0]),
                    x -> Ref64.softmax(x[0], 40, log),
                    rand(9, -3, 3, 30, 40));
        }
    }

    @Test
    void gather() {
        int[] idx = {2, 0, 4, 4};
        GradCheck.check(
                "gather",
                v -> F.gather(v[0], idx),
                x -> {
                    double[] y = new double[idx.length];
                    for (int r = 0; r < idx.length; r++) y[r] = x[0][r * 5 + idx[r]];
                    return y;
                },
                rand(10, -1, 1, 4, 5));
    }

    @Test
    void gatherWithADeviceIndex() { // the index as a tensor of floats, as an argmax kept on a GPU
        int[] idx = {2, 0, 4, 4};
        Tensor index = Tensor.of(new float[] {2, 0, 4, 4}, 4);
        GradCheck.check(
                "gather (device index)",
                v -> F.gather(v[0], index),
                x -> {
                    double[] y = new double[idx.length];
                    for (int r = 0; r < idx.length; r++) y[r] = x[0][r * 5 + idx[r]];
                    return y;
                },
                rand(10, -1, 1, 4, 5));
    }

    @Test
    void argmaxIndexEqualsArgmax() {
        Var x = Var.constant(rand(11, -1, 1, 6, 7));
        float[] dev = F.argmaxIndex(x).toArray();
        int[] host = F.argmax(x);
        for (int r = 0; r < host.length; r++)
            Assertions.assertThat(dev[r]).isEqualTo((float) host[r]);
    }

    @Test
    void linearWithBias() { // x·Wᵀ + b, PyTorch layout: every one of the three inputs checked
        int n = 3, in = 4, out = 5;
        GradCheck.check(
                "linear",
                v -> F.linear(v[0], v[1], v[2]),
                x -> {
                    double[] y = new double[n * out];
                    for (int i = 0; i < n; i++)
                        for (int o = 0; o < out; o++) {
                            y[i * out + o] = x[2][o];
                            for (int p = 0; p < in; p++)
                                y[i * out + o] += x[0][i * in + p] * x[1][o * in + p];
                        }
                    return y;
                },
                rand(11, -1, 1, n, in),
                rand(12, -1, 1, out, in),
                rand(13, -1, 1, out));
    }
}

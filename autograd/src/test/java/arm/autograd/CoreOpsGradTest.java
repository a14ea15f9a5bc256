package arm.autograd;

import static arm.autograd.GradCheck.rand;

import org.junit.jupiter.api.Test;

/** Gradient checks of the first primitives; the pattern every op test follows. */
class CoreOpsGradTest {

  @Test
  void matmulAllTransposes() {
    int m = 3, k = 5, n = 7;
    for (boolean ta : new boolean[] {false, true})
      for (boolean tb : new boolean[] {false, true}) {
        var a = rand(1, -1, 1, ta ? k : m, ta ? m : k);
        var b = rand(2, -1, 1, tb ? n : k, tb ? k : n);
        GradCheck.check("matmul ta=" + ta + " tb=" + tb,
            v -> F.matmul(v[0], v[1], ta, tb),
            x -> {
              double[] y = new double[m * n];
              for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                  for (int p = 0; p < k; p++)
                    y[i * n + j] += (ta ? x[0][p * m + i] : x[0][i * k + p]) * (tb ? x[1][j * k + p] : x[1][p * n + j]);
              return y;
            }, a, b);
      }
  }

  @Test
  void broadcastMulAndDiv() {
    var a = rand(3, 0.5, 2, 4, 3);
    var b = rand(4, 0.5, 2, 3);
    GradCheck.check("mul [4,3]*[3]", v -> F.mul(v[0], v[1]), x -> {
      double[] y = new double[12];
      for (int i = 0; i < 12; i++) y[i] = x[0][i] * x[1][i % 3];
      return y;
    }, a, b);
    GradCheck.check("div [4,3]/[3]", v -> F.div(v[0], v[1]), x -> {
      double[] y = new double[12];
      for (int i = 0; i < 12; i++) y[i] = x[0][i] / x[1][i % 3];
      return y;
    }, a, b);
  }

  @Test
  void logSoftmaxAndGather() {
    var z = rand(5, -2, 2, 3, 4);
    int[] idx = {1, 3, 0};
    GradCheck.check("cross entropy", v -> F.crossEntropy(v[0], idx), x -> {
      double s = 0;
      for (int r = 0; r < 3; r++) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int c = 0; c < 4; c++) max = Math.max(max, x[0][r * 4 + c]);
        for (int c = 0; c < 4; c++) sum += Math.exp(x[0][r * 4 + c] - max);
        s -= x[0][r * 4 + idx[r]] - max - Math.log(sum);
      }
      return new double[] {s / 3};
    }, z);
  }
}

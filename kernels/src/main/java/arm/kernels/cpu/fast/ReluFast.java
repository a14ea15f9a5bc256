package arm.kernels.cpu.fast;

/**
 * ReLU and its backward as dedicated loops (the generic {@link arm.kernels.cpu.ref.ElementwiseRef}
 * dispatches on the op per element); same results: y = x &gt; 0 ? x : 0, dx = dy · [x &gt; 0].
 * The ResNet applies them to every activation, forward and backward.
 */
public final class ReluFast {
  private ReluFast() {}

  public static void forward(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) {
      float v = x[i];
      y[i] = v > 0f ? v : 0f;
    }
  }

  public static void backward(float[] x, float[] dy, float[] dx, int n) {
    for (int i = 0; i < n; i++) dx[i] = dy[i] * (x[i] > 0f ? 1f : 0f); // the naive product, signed zeros included
  }
}

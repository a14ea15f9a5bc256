package arm.method;

import arm.data.ContinualData;
import arm.data.SyntheticData;
import arm.nn.Module;
import arm.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Whole-iteration parity of a device against the CPU: the same method, seed and initial weights
 * (init is seeded on the CPU, then uploaded), one recall iteration (recall_from_t = 0) on each,
 * then the change of every parameter and buffer compared. The measure per model is
 * max |Δ_dev − Δ_cpu| / max |Δ_cpu| over all tensors: FP32 on different hardware and algorithms
 * (cuDNN, cuBLAS) agrees to about 1e-5 per op; through S refinement steps and two SGD steps we
 * accept {@link #TOLERANCE}.
 */
public final class IterationParity {
  /** Accepted relative error on the weight (and BN statistics) deltas. */
  public static final double TOLERANCE = 1e-3;

  private IterationParity() {}

  /**
   * The MNIST MLP (published ARM options) and ResNet18 nf = 20 on CIFAR-shaped data with M = 10
   * (published CIFAR options otherwise), each trained one ARM iteration on the CPU and on
   * {@code device}. Returns setting → relative error of the deltas.
   */
  public static Map<String, Double> run(String device) {
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("ARM iteration MLP mnist M10 S10", relativeError(
        "mnist", SyntheticData.mnistShaped(3), Map.of("recall_from_t", "0"), device));
    out.put("ARM iteration ResNet18 nf20 cifar M10 S10", relativeError(
        "cifar10", SyntheticData.cifarShaped(3), Map.of("recall_from_t", "0", "M", "10"), device));
    return out;
  }

  /** max |Δ_dev − Δ_cpu| / max |Δ_cpu| after iteration t = 0 of ARM with {@code options}. */
  public static double relativeError(String dataset, ContinualData data, Map<String, String> options, String device) {
    Map<String, float[]> cpu = deltas(dataset, data, options, "cpu");
    Map<String, float[]> dev = deltas(dataset, data, options, device);
    double err = 0, scale = 0;
    for (var e : cpu.entrySet()) {
      float[] c = e.getValue(), g = dev.get(e.getKey());
      for (int i = 0; i < c.length; i++) {
        double d = Math.abs((double) g[i] - c[i]);
        err = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(err, d);
        scale = Math.max(scale, Math.abs(c[i]));
      }
    }
    return scale == 0 ? (err == 0 ? 0 : Double.POSITIVE_INFINITY) : err / scale;
  }

  /** name → (value after one iteration − value before), for every parameter and buffer. */
  static Map<String, float[]> deltas(String dataset, ContinualData data, Map<String, String> options, String device) {
    Map<String, String> o = new LinkedHashMap<>(options);
    o.put("device", device);
    Stepper run = Stepper.create(Methods.create("ARM", dataset, o), data, 42);
    Map<String, float[]> before = state(run.model());
    run.train(0);
    Map<String, float[]> after = state(run.model());
    for (var e : after.entrySet()) {
      float[] a = e.getValue(), b = before.get(e.getKey());
      for (int i = 0; i < a.length; i++) a[i] -= b[i];
    }
    return after;
  }

  static Map<String, float[]> state(Module m) {
    Map<String, float[]> s = new LinkedHashMap<>();
    m.namedParameters().forEach((n, p) -> s.put(n, p.value().toArray()));
    for (Map.Entry<String, Tensor> e : m.namedBuffers().entrySet()) s.put(e.getKey(), e.getValue().toArray());
    return s;
  }
}

package arm.cli;

import java.util.Map;

/** The paper's MNIST-5k-5 numbers (Table 1; REFERENCE.md §1): test split, mean ± std over 5 runs, %. */
final class Paper {
  /** accuracy mean, accuracy std, forgetting mean, forgetting std (NaN: not reported). */
  record Row(double acc, double accStd, double forgetting, double forgettingStd) {
    String format() {
      String a = String.format(java.util.Locale.ROOT, "%.1f ± %.1f", acc, accStd);
      return Double.isNaN(forgetting) ? a + " / –" : a + String.format(java.util.Locale.ROOT, " / %.1f ± %.1f", forgetting, forgettingStd);
    }
  }

  static final Map<String, Row> MNIST = Map.of(
      "Stationary", new Row(87.1, 0.6, Double.NaN, Double.NaN),
      "Naive", new Row(18.8, 0.5, 95.6, 2.7),
      "Distill", new Row(33.3, 2.5, 58.0, 1.7),
      "ADI", new Row(55.4, 2.6, 11.5, 5.0),
      "ARM", new Row(56.3, 2.6, 21.8, 1.6));

  private Paper() {}
}

package arm.cli;

import java.util.Locale;
import java.util.Map;

/**
 * The paper's numbers (Table 1; ALGORITHM.md §11): test split, mean ± std over 5 runs, %. CIFAR10
 * ARM is 26.4 ± 1.2 in Table 1 (26.9 ± 1.1 in Table 2, ALGORITHM.md §9 D7).
 */
final class Paper {
    /** accuracy mean, accuracy std, forgetting mean, forgetting std (NaN: not reported). */
    record Row(double acc, double accStd, double forgetting, double forgettingStd) {
        String format() {
            String a = String.format(Locale.ROOT, "%.1f ± %.1f", acc, accStd);
            return Double.isNaN(forgetting)
                    ? a + " / –"
                    : a + String.format(Locale.ROOT, " / %.1f ± %.1f", forgetting, forgettingStd);
        }
    }

    static final Map<String, Row> MNIST =
            Map.ofEntries(
                    Map.entry("Stationary", new Row(87.1, 0.6, Double.NaN, Double.NaN)),
                    Map.entry("Naive", new Row(18.8, 0.5, 95.6, 2.7)),
                    Map.entry("Distill", new Row(33.3, 2.5, 58.0, 1.7)),
                    Map.entry("ADI", new Row(55.4, 2.6, 11.5, 5.0)),
                    Map.entry("ARM", new Row(56.3, 2.6, 21.8, 1.6)),
                    // Table 6, buffer rows ("ER-50": ER with a 50-image buffer; ALGORITHM.md §12.6)
                    Map.entry("ER-50", new Row(62.8, 3.1, 42.0, 3.7)),
                    Map.entry("ER-MIR-50", new Row(63.8, 4.6, 40.6, 5.9)),
                    Map.entry("ER-25", new Row(51.6, 2.7, 57.0, 3.3)),
                    Map.entry("ER-MIR-25", new Row(51.6, 2.6, 56.4, 3.3)),
                    // Table 6, generative rows (the MIR paper's numbers, ± its standard error)
                    Map.entry("GEN", new Row(79.3, 0.6, 19.5, 0.8)),
                    Map.entry("GEN-MIR", new Row(82.1, 0.3, 17.0, 0.4)));

    static final Map<String, Row> CIFAR10 =
            Map.ofEntries(
                    Map.entry("Stationary", new Row(55.2, 5.0, Double.NaN, Double.NaN)),
                    Map.entry("Naive", new Row(15.0, 3.1, 69.4, 4.7)),
                    Map.entry("Distill", new Row(19.2, 0.3, 60.9, 3.9)),
                    Map.entry("ADI", new Row(24.8, 0.9, 12.0, 4.5)),
                    Map.entry("ARM", new Row(26.4, 1.2, 8.07, 5.2)),
                    // Table 1, buffer rows (ALGORITHM.md §12.6)
                    Map.entry("ER-200", new Row(27.5, 1.2, 50.5, 2.4)),
                    Map.entry("ER-MIR-200", new Row(29.8, 1.1, 50.2, 2.0)),
                    Map.entry("ER-100", new Row(22.4, 1.1, 66.2, 6.2)),
                    Map.entry("ER-MIR-100", new Row(23.6, 0.9, 61.4, 1.8)),
                    // Table 1, "iCarl (5 iter)" and "GEM", 200 images (the MIR paper's numbers)
                    Map.entry("iCaRL", new Row(28.6, 1.2, 49.0, 2.4)),
                    Map.entry("GEM", new Row(16.8, 1.1, 73.5, 1.7)));

    static final Map<String, Row> MINIIMAGENET =
            Map.of(
                    "Stationary", new Row(25.2, 4.7, Double.NaN, Double.NaN),
                    "Naive", new Row(3.80, 0.2, 51.2, 2.0),
                    "Distill", new Row(4.89, 0.2, 41.6, 1.6),
                    "ADI", new Row(2.99, 0.6, 8.11, 2.1),
                    "ARM", new Row(5.53, 0.8, 11.9, 2.7),
                    // Table 5, buffer rows
                    "ER-500", new Row(5.60, 0.4, 55.2, 1.2),
                    "ER-MIR-500", new Row(5.40, 0.4, 55.8, 0.9),
                    "ER-100", new Row(4.20, 0.4, 58.6, 0.9),
                    "ER-MIR-100", new Row(4.00, 0.0, 59.2, 0.9));

    private Paper() {}
}

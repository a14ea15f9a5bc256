package arm.report;

import java.util.List;

/**
 * The paper's gradient-study tables (appendix A.7.6): Fig. 7 (CIFAR10), Table 9 (MiniImageNet),
 * Table 10 (MNIST); correlation with class 1 (originator) and class 2 (target), mean ± std.
 */
public final class PaperGradients {

    /** One row: layer, class 1 mean and std, class 2 mean and std. */
    public record Row(String layer, double mean1, double std1, double mean2, double std2) {}

    /** One dataset's tables with their source in the paper. */
    public record Tables(String source, List<Row> hard, List<Row> soft) {}

    private PaperGradients() {}

    public static final Tables MNIST =
            new Tables(
                    "Table 10 (MNIST)",
                    List.of(
                            new Row("FC 1", 0.022, 0.178, 0.255, 0.176),
                            new Row("FC 2", 0.012, 0.168, 0.325, 0.228),
                            new Row("FC 3", 0.002, 0.264, 0.675, 0.160),
                            new Row("All", 0.012, 0.181, 0.418, 0.181)),
                    List.of(
                            new Row("FC 1", 0.013, 0.182, 0.055, 0.196),
                            new Row("FC 2", 0.015, 0.207, 0.072, 0.246),
                            new Row("FC 3", 0.004, 0.311, 0.100, 0.293),
                            new Row("All", 0.011, 0.216, 0.076, 0.233)));

    public static final Tables CIFAR10 =
            new Tables(
                    "Fig. 7 (CIFAR10)",
                    List.of(
                            new Row("Conv 1", 0.034, 0.281, 0.205, 0.254),
                            new Row("Conv 2", 0.036, 0.262, 0.259, 0.214),
                            new Row("Conv 3", 0.048, 0.315, 0.344, 0.234),
                            new Row("Conv 4", 0.036, 0.362, 0.366, 0.277),
                            new Row("Conv 5", 0.012, 0.308, 0.419, 0.210),
                            new Row("FC", 0.002, 0.365, 0.687, 0.143),
                            new Row("All", 0.032, 0.278, 0.355, 0.196)),
                    List.of(
                            new Row("Conv 1", 0.016, 0.270, 0.084, 0.275),
                            new Row("Conv 2", 0.001, 0.263, 0.080, 0.261),
                            new Row("Conv 3", -0.017, 0.312, 0.060, 0.323),
                            new Row("Conv 4", -0.046, 0.364, 0.040, 0.388),
                            new Row("Conv 5", -0.052, 0.313, 0.096, 0.332),
                            new Row("FC", -0.096, 0.351, 0.137, 0.395),
                            new Row("All", -0.030, 0.279, 0.071, 0.298)));

    public static final Tables MINIIMAGENET =
            new Tables(
                    "Table 9 (MiniImageNet)",
                    List.of(
                            new Row("Conv 1", 0.061, 0.316, 0.246, 0.287),
                            new Row("Conv 2", 0.032, 0.274, 0.282, 0.241),
                            new Row("Conv 3", 0.028, 0.326, 0.414, 0.258),
                            new Row("Conv 4", -0.031, 0.264, 0.474, 0.198),
                            new Row("Conv 5", -0.181, 0.195, 0.556, 0.142),
                            new Row("FC", -0.014, 0.084, 0.726, 0.084),
                            new Row("All", -0.036, 0.218, 0.439, 0.177)),
                    List.of(
                            new Row("Conv 1", 0.065, 0.319, 0.212, 0.302),
                            new Row("Conv 2", 0.022, 0.273, 0.262, 0.259),
                            new Row("Conv 3", 0.034, 0.315, 0.381, 0.273),
                            new Row("Conv 4", -0.040, 0.247, 0.433, 0.216),
                            new Row("Conv 5", -0.200, 0.190, 0.505, 0.186),
                            new Row("FC", -0.019, 0.070, 0.655, 0.156),
                            new Row("All", -0.043, 0.212, 0.401, 0.197)));

    /**
     * The tables for a dataset name as results.json spells it ("MNIST-5k-5", "CIFAR10", …), or
     * null.
     */
    public static Tables forDataset(String dataset) {
        String d = dataset == null ? "" : dataset.toLowerCase();
        if (d.contains("miniimagenet") || d.contains("mini-imagenet")) return MINIIMAGENET;
        if (d.contains("cifar")) return CIFAR10;
        if (d.contains("mnist")) return MNIST;
        return null;
    }
}

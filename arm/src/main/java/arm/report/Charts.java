package arm.report;

import arm.analysis.GradientStudy;
import arm.io.AtomicFile;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The paper's run figures as XChart charts (headless PNG): Fig. 3 (history of recalled classes),
 * Fig. 4 (per-task accuracy over training) and Fig. 7 (gradient correlations). Each method takes
 * plain arrays, so tests can check a chart's data against the recorded history.
 */
public final class Charts {
    /** Task colours (Tableau 10), reused cyclically. */
    static final Color[] PALETTE = {
        new Color(0x4E79A7), new Color(0xF28E2B), new Color(0xE15759), new Color(0x76B7B2),
                new Color(0x59A14F),
        new Color(0xEDC948), new Color(0xB07AA1), new Color(0xFF9DA7), new Color(0x9C755F),
                new Color(0xBAB0AC),
    };

    /** The heat map's colour scale (viridis, low to high). */
    static final Color[] VIRIDIS = {
        new Color(0x440154),
        new Color(0x3B528B),
        new Color(0x21918C),
        new Color(0x5EC962),
        new Color(0xFDE725),
    };

    /** At most this many heat-map columns; longer histories are averaged into bins. */
    static final int MAX_COLUMNS = 100;

    private Charts() {}

    static {
        System.setProperty("java.awt.headless", "true");
    }

    public static void save(Chart<?, ?> chart, Path png) throws IOException {
        naming(
                png,
                () ->
                        BitmapEncoder.saveBitmap(
                                chart, png.toString(), BitmapEncoder.BitmapFormat.PNG));
    }

    public static void save(List<? extends Chart<?, ?>> charts, int rows, int cols, Path png)
            throws IOException {
        naming(
                png,
                () ->
                        BitmapEncoder.saveBitmap(
                                charts,
                                rows,
                                cols,
                                png.toString(),
                                BitmapEncoder.BitmapFormat.PNG));
    }

    interface Write {
        void run() throws IOException;
    }

    /**
     * Runs a write whose library errors do not name the file (a full disk, a folder in the way).
     */
    static void naming(Path png, Write w) throws IOException {
        try {
            w.run();
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot write " + png + ": " + AtomicFile.reason(e), e);
        }
    }

    // ------------------------------------------------------------------------------ Fig. 3

    /** The heat map's cells: column c covers iterations binStart[c] … binStart[c+1]−1. */
    public record Heat(int[] binStart, double[][] value) {}

    /**
     * Bins a recall history ([iteration][K], rows in iteration order) into at most {@code columns}
     * columns of equally many consecutive recall iterations, averaging within a bin. value[c][k] is
     * the mean of class k's batch-mean probability over bin c.
     */
    public static Heat bin(int[] t, float[][] probs, int columns) {
        int n = t.length,
                per = Math.max(1, (n + columns - 1) / columns),
                cols = (n + per - 1) / per;
        int k = n == 0 ? 0 : probs[0].length;
        int[] start = new int[cols];
        double[][] v = new double[cols][k];
        for (int c = 0; c < cols; c++) {
            start[c] = t[c * per];
            int end = Math.min(n, (c + 1) * per);
            for (int i = c * per; i < end; i++)
                for (int j = 0; j < k; j++) v[c][j] += probs[i][j] / (end - c * per);
        }
        return new Heat(start, v);
    }

    /**
     * Fig. 3: classes (rows) × recall iteration (columns), colour = batch-mean softmax of f_old.
     */
    public static HeatMapChart history(int[] t, float[][] probs, String title) {
        Heat heat = bin(t, probs, MAX_COLUMNS);
        int cols = heat.binStart().length, k = cols == 0 ? 0 : heat.value()[0].length;
        HeatMapChart chart = new HeatMapChart(900, 140 + Math.min(760, 30 * k));
        chart.setTitle(title);
        chart.setXAxisTitle(
                "iteration t (bin start"
                        + (cols < t.length
                                ? ", " + t.length / Math.max(1, cols) + " recalls per column)"
                                : ")"));
        chart.setYAxisTitle("class");
        List<Integer> xs = new ArrayList<>(), ys = new ArrayList<>();
        for (int c = 0; c < cols; c++) xs.add(heat.binStart()[c]);
        for (int j = 0; j < k; j++) ys.add(j);
        List<Number[]> cells = new ArrayList<>();
        double max = 0;
        for (int c = 0; c < cols; c++)
            for (int j = 0; j < k; j++) {
                cells.add(new Number[] {c, j, heat.value()[c][j]});
                max = Math.max(max, heat.value()[c][j]);
            }
        chart.addSeries("mean p(class)", xs, ys, cells);
        var s = chart.getStyler();
        s.setAllStyles(); // XChart 4.0.3's HeatMapStyler() leaves fonts, locale and patterns unset
        s.setRangeColors(VIRIDIS);
        s.setMin(0);
        s.setMax(
                max > 0
                        ? Math.ceil(max * 100) / 100
                        : 1); // the legend prints the bound unformatted
        s.setShowValue(false);
        s.setDrawBorder(false);
        s.setPlotGridLinesVisible(false);
        s.setPlotBackgroundColor(
                VIRIDIS[0]); // anti-aliased cell edges let the background show through
        s.setPlotContentSize(1.0);
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setChartBackgroundColor(Color.WHITE);
        s.setXAxisLabelRotation(90);
        s.setYAxisTickMarkSpacingHint(18); // every class labelled while rows are at least this tall
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 9));
        return chart;
    }

    // ------------------------------------------------------------------------------ Fig. 4

    /**
     * Fig. 4: accuracy of every task over training, one curve per task from its first evaluation,
     * the average accuracy dashed, each task's training window shaded in its colour.
     *
     * @param t evaluation times
     * @param perTask [evaluation][task], fractions; NaN where undefined
     * @param average average accuracy per evaluation (NaN where undefined)
     * @param tasks number of tasks; window j is [j·T, (j+1)·T)
     */
    public static XYChart tasks(
            int[] t,
            double[][] perTask,
            double[] average,
            int batchesPerTask,
            int tasks,
            String title) {
        XYChart chart = new XYChart(900, 480);
        chart.setTitle(title);
        chart.setXAxisTitle("iteration t");
        chart.setYAxisTitle("test accuracy (%)");
        var s = chart.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotGridLinesVisible(false);
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setYAxisMin(0.0);
        s.setYAxisMax(100.0);
        s.setXAxisMin(0.0);
        s.setXAxisMax((double) batchesPerTask * tasks);
        s.setMarkerSize(5);
        for (int j = 0; j < tasks; j++) {
            Color c = PALETTE[j % PALETTE.length];
            XYSeries w =
                    chart.addSeries(
                            "window " + (j + 1),
                            new double[] {j * batchesPerTask, (j + 1) * batchesPerTask},
                            new double[] {100, 100});
            w.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Area);
            w.setFillColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 38));
            w.setLineColor(new Color(0, 0, 0, 0));
            w.setMarker(SeriesMarkers.NONE);
            w.setShowInLegend(false);
        }
        for (int j = 0; j < tasks; j++) {
            double[][] xy = defined(t, column(perTask, j), 100);
            if (xy[0].length == 0) continue;
            XYSeries line = chart.addSeries("task " + (j + 1), xy[0], xy[1]);
            line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            line.setLineColor(PALETTE[j % PALETTE.length]);
            line.setMarkerColor(PALETTE[j % PALETTE.length]);
            line.setMarker(SeriesMarkers.CIRCLE);
            line.setLineWidth(2f);
        }
        double[][] avg = defined(t, average, 100);
        if (avg[0].length > 0) {
            XYSeries a = chart.addSeries("average", avg[0], avg[1]);
            a.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            a.setLineColor(Color.BLACK);
            a.setLineStyle(
                    new BasicStroke(
                            2f,
                            BasicStroke.CAP_BUTT,
                            BasicStroke.JOIN_ROUND,
                            10f,
                            new float[] {6f, 4f},
                            0f));
            a.setMarker(SeriesMarkers.NONE);
        }
        return chart;
    }

    /**
     * Training losses over iterations (train-log.csv): one line per loss column that has values, on
     * a log scale when every value is positive (the recall terms span decades), linear otherwise.
     */
    public static XYChart losses(TrainLogFile.Curves c, String title) {
        XYChart chart = new XYChart(900, 480);
        chart.setTitle(title);
        chart.setXAxisTitle("iteration t");
        chart.setYAxisTitle("loss (mean over the logged iteration)");
        var s = chart.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotGridLinesVisible(false);
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setMarkerSize(0);
        boolean positive = true;
        int color = 0;
        List<XYSeries> added = new ArrayList<>();
        for (int j = 0; j < c.columns().size(); j++) {
            String name = c.columns().get(j);
            if (!name.startsWith("step_") && !name.startsWith("recall")) continue;
            double[][] xy = defined(c.t(), c.values()[j], 1);
            if (xy[0].length == 0) continue;
            for (double v : xy[1]) positive &= v > 0;
            XYSeries line = chart.addSeries(name, xy[0], xy[1]);
            line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            line.setLineColor(PALETTE[color++ % PALETTE.length]);
            line.setMarker(SeriesMarkers.NONE);
            line.setLineWidth(1.2f);
            added.add(line);
        }
        if (added.isEmpty())
            chart.addSeries("no losses logged", new double[] {0}, new double[] {0})
                    .setMarker(SeriesMarkers.NONE);
        else s.setYAxisLogarithmic(positive);
        return chart;
    }

    /** The (x, scale·y) points where y is defined. */
    public static double[][] defined(int[] x, double[] y, double scale) {
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < x.length; i++)
            if (!Double.isNaN(y[i])) pts.add(new double[] {x[i], scale * y[i]});
        double[][] out = new double[2][pts.size()];
        for (int i = 0; i < pts.size(); i++) {
            out[0][i] = pts.get(i)[0];
            out[1][i] = pts.get(i)[1];
        }
        return out;
    }

    static double[] column(double[][] m, int j) {
        double[] out = new double[m.length];
        for (int i = 0; i < m.length; i++) out[i] = j < m[i].length ? m[i][j] : Double.NaN;
        return out;
    }

    // ------------------------------------------------------------------------------ Fig. 7

    /** Fig. 7, one panel: per layer, the mean ± std cosine with class 1 and with class 2. */
    public static CategoryChart gradients(List<GradientStudy.Row> rows, String title) {
        CategoryChart chart = new CategoryChart(620, 420);
        chart.setTitle(title);
        chart.setXAxisTitle("layer");
        chart.setYAxisTitle("gradient cosine (mean ± std)");
        var s = chart.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setLegendPosition(Styler.LegendPosition.InsideNW);
        s.setYAxisMin(-1.0);
        s.setYAxisMax(1.0);
        s.setErrorBarsColor(Color.DARK_GRAY);
        s.setAvailableSpaceFill(0.7);
        s.setSeriesColors(new Color[] {new Color(0xBAB0AC), new Color(0x4E79A7)});
        List<String> layers = new ArrayList<>();
        List<Double> m1 = new ArrayList<>(),
                s1 = new ArrayList<>(),
                m2 = new ArrayList<>(),
                s2 = new ArrayList<>();
        for (GradientStudy.Row r : rows) {
            layers.add(r.layer());
            m1.add(zeroIfNaN(r.class1().mean()));
            s1.add(zeroIfNaN(r.class1().std()));
            m2.add(zeroIfNaN(r.class2().mean()));
            s2.add(zeroIfNaN(r.class2().std()));
        }
        chart.addSeries("class 1 (originator)", layers, m1, s1);
        chart.addSeries("class 2 (target)", layers, m2, s2);
        return chart;
    }

    private static double zeroIfNaN(double v) {
        return Double.isNaN(v) ? 0 : v;
    }
}

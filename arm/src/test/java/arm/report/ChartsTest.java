package arm.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import arm.analysis.GradientStudy;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/** The charts hold exactly the recorded histories, and render to PNG headless. */
class ChartsTest {
    @TempDir Path tmp;

    static float[][] history(int n, int k) {
        float[][] p = new float[n][k];
        for (int i = 0; i < n; i++) {
            float sum = 0;
            for (int c = 0; c < k; c++) sum += p[i][c] = 1 + (i * 7 + c * 3) % 5;
            for (int c = 0; c < k; c++) p[i][c] /= sum;
        }
        return p;
    }

    @Test
    void heatMapCellsAreTheRecordedHistoryOrItsBinMeans() {
        int[] t = {100, 101, 102, 103, 104, 105, 106, 107, 108, 109};
        float[][] p = history(10, 3);
        Charts.Heat exact = Charts.bin(t, p, 10);
        assertThat(exact.binStart()).containsExactly(t);
        for (int i = 0; i < 10; i++)
            for (int c = 0; c < 3; c++) assertThat(exact.value()[i][c]).isEqualTo((double) p[i][c]);

        Charts.Heat binned =
                Charts.bin(t, p, 4); // 3 per column: [100..102], [103..105], [106..108], [109]
        assertThat(binned.binStart()).containsExactly(100, 103, 106, 109);
        for (int c = 0; c < 3; c++) {
            assertThat(binned.value()[1][c])
                    .isCloseTo(((double) p[3][c] + p[4][c] + p[5][c]) / 3, within(1e-7));
            assertThat(binned.value()[3][c]).isCloseTo(p[9][c], within(1e-7));
        }

        HeatMapChart chart = Charts.history(t, p, "test");
        List<? extends Number[]> cells = chart.getHeatMapSeries().getHeatData();
        assertThat(cells).hasSize(30);
        for (Number[] cell : cells)
            assertThat(cell[2].doubleValue())
                    .isEqualTo(exact.value()[cell[0].intValue()][cell[1].intValue()]);
        assertThat(List.copyOf(chart.getHeatMapSeries().getXData()))
                .isEqualTo(List.of(100, 101, 102, 103, 104, 105, 106, 107, 108, 109));
    }

    @Test
    void taskCurvesAreThePerTaskHistoryInPercentFromFirstDefinedPoint() throws Exception {
        int[] t = {0, 50, 100, 150, 200};
        double n = Double.NaN;
        double[][] perTask = {{n, n}, {0.9, n}, {0.95, n}, {0.5, 0.8}, {0.4, 0.85}};
        double[] avg = {n, 0.9, 0.95, 0.65, 0.625};
        XYChart chart = Charts.tasks(t, perTask, avg, 100, 2, "test");
        XYSeries task1 = chart.getSeries("task 1"), task2 = chart.getSeries("task 2");
        assertThat(task1.getXData()).containsExactly(50.0, 100.0, 150.0, 200.0);
        assertThat(task1.getYData()).containsExactly(new double[] {90, 95, 50, 40}, within(1e-9));
        assertThat(task2.getXData()).containsExactly(150.0, 200.0);
        assertThat(task2.getYData()).containsExactly(new double[] {80, 85}, within(1e-9));
        assertThat(chart.getSeries("average").getYData())
                .containsExactly(new double[] {90, 95, 65, 62.5}, within(1e-9));
        XYSeries window2 = chart.getSeries("window 2");
        assertThat(window2.getXData()).containsExactly(100.0, 200.0);
        assertThat(window2.isShowInLegend()).isFalse();

        Path png = tmp.resolve("fig4.png");
        Charts.save(chart, png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(900);
        assertThat(img.getHeight()).isEqualTo(480);
    }

    @Test
    void gradientBarsAreTheTableMeansWithStdErrorBars() throws Exception {
        List<GradientStudy.Row> rows =
                List.of(
                        new GradientStudy.Row(
                                "FC 1",
                                new GradientStudy.Stat(0.02, 0.18, 10),
                                new GradientStudy.Stat(0.25, 0.17, 10)),
                        new GradientStudy.Row(
                                "All",
                                new GradientStudy.Stat(-0.01, 0.2, 10),
                                new GradientStudy.Stat(0.4, 0.1, 10)));
        var chart = Charts.gradients(rows, "test");
        CategorySeries c1 = chart.getSeries("class 1 (originator)"),
                c2 = chart.getSeries("class 2 (target)");
        assertThat(List.copyOf(c1.getXData())).isEqualTo(List.of("FC 1", "All"));
        assertThat(c1.getYData()).containsExactly(0.02, -0.01);
        assertThat(c1.getExtraValues()).containsExactly(0.18, 0.2);
        assertThat(c2.getYData()).containsExactly(0.25, 0.4);
        Charts.save(List.of(chart, chart), 1, 2, tmp.resolve("fig7.png"));
        assertThat(ImageIO.read(tmp.resolve("fig7.png").toFile()).getWidth()).isEqualTo(2 * 620);
    }

    @Test
    void aFailedPngWriteNamesTheFile() throws Exception {
        int[] t = {0, 50};
        double[][] perTask = {{0.5}, {0.6}};
        XYChart chart = Charts.tasks(t, perTask, new double[] {0.5, 0.6}, 50, 1, "test");
        java.nio.file.Files.writeString(
                tmp.resolve("figures"), "a file where the folder should be");
        Path png = tmp.resolve("figures/fig4.png");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Charts.save(chart, png))
                .isInstanceOf(java.io.IOException.class)
                .hasMessageStartingWith("cannot write " + png + ": ");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                RecalledImages.write(
                                        png,
                                        List.of(
                                                new arm.run.RecallRecord.Pair(
                                                        1, 0, 1, 0.5f, new float[4], new float[4])),
                                        new int[] {4},
                                        "t"))
                .isInstanceOf(java.io.IOException.class)
                .hasMessageStartingWith("cannot write " + png + ": ");
    }
}

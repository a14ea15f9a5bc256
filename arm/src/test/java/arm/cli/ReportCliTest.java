package arm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import arm.data.IdxFiles;
import arm.method.Methods;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The figures end to end: a real (tiny) ARM run writes the four figures, the side files and
 * report.md; `plot` redraws the same files from the folder alone.
 */
class ReportCliTest {
    @TempDir static Path shared;
    @TempDir Path tmp;
    static Path data;

    @BeforeAll
    static void writeData() throws Exception {
        data = IdxFiles.writeSmallMnist(shared);
    }

    static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void trainWritesFiguresReportAndPlotRedrawsThem() throws Exception {
        Path out = tmp.resolve("out");
        MainTest.Outcome o =
                MainTest.run(
                        Methods::create,
                        "train",
                        "--method",
                        "ARM",
                        "--mlp_hidden",
                        "8",
                        "--S",
                        "2",
                        "--eval_every",
                        "50",
                        "--gradient-samples",
                        "40",
                        "--data",
                        data.toString(),
                        "--out",
                        out.toString());
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out())
                .contains("Report: ", "(a) Hard targets", "| FC 3 |", "Table 10 (MNIST)");
        List<String> figures =
                List.of(
                        "fig2-recalled-ARM-run0.png",
                        "fig3-recall-history-ARM-run0.png",
                        "fig4-task-accuracy-ARM-run0.png",
                        "fig7-gradients-ARM-run0.png",
                        "losses-ARM-run0.png");
        assertThat(names(out.resolve("figures"))).containsExactlyElementsOf(figures);
        for (String f : figures)
            assertThat(ImageIO.read(out.resolve("figures").resolve(f).toFile())).as(f).isNotNull();
        assertThat(names(out.resolve("runs/ARM-run0")))
                .containsExactly(
                        "gradient-samples.csv",
                        "recall-history.csv",
                        "recalled-pairs.csv",
                        "recalled-pairs.npy",
                        "train-log.csv");
        String report = Files.readString(out.resolve("report.md"));
        for (String f : figures) assertThat(report).contains("(figures/" + f + ")");

        JsonNode run =
                new ObjectMapper()
                        .readTree(out.resolve("results.json").toFile())
                        .get("runs")
                        .get(0);
        assertThat(run.get("test").get("t"))
                .hasSize(11 + 0); // 0, 50, …, 500 (boundaries are multiples of 50)
        assertThat(run.get("recall").get("recallIterations").asInt()).isEqualTo(400);
        assertThat(run.get("gradients").get("samples").asInt()).isEqualTo(40);
        assertThat(run.get("gradients").get("hard")).hasSize(4);
        // recall history: one row per recall iteration t = 100 … 499
        List<String> history = Files.readAllLines(out.resolve("runs/ARM-run0/recall-history.csv"));
        assertThat(history).hasSize(401);
        assertThat(history.get(1)).startsWith("100,");

        // plot redraws from the folder alone
        for (String f : figures) Files.delete(out.resolve("figures").resolve(f));
        Files.delete(out.resolve("report.md"));
        MainTest.Outcome p = MainTest.run(Methods::create, "plot", out.toString());
        assertThat(p.code()).as(p.err()).isZero();
        assertThat(names(out.resolve("figures"))).containsExactlyElementsOf(figures);
        assertThat(Files.readString(out.resolve("report.md"))).isEqualTo(report);
    }

    /**
     * Each run's figures are drawn on a thread of their own: the files are the same bytes as drawn
     * one run after another.
     */
    @Test
    void runsDrawnInParallelGiveTheSameFilesAsOneAfterAnother() throws Exception {
        Path out = tmp.resolve("runs3");
        MainTest.Outcome o =
                MainTest.run(
                        Methods::create,
                        "train",
                        "--method",
                        "ARM",
                        "--runs",
                        "3",
                        "--mlp_hidden",
                        "8",
                        "--S",
                        "2",
                        "--gradient-samples",
                        "20",
                        "--data",
                        data.toString(),
                        "--out",
                        out.toString());
        assertThat(o.code()).as(o.err()).isZero();
        arm.report.Report.Written one = arm.report.Report.write(out, true, 1);
        String report = Files.readString(one.report());
        List<byte[]> bytes = new java.util.ArrayList<>();
        for (Path f : one.figures()) bytes.add(Files.readAllBytes(f));
        assertThat(one.figures()).hasSizeGreaterThanOrEqualTo(12); // 3 runs × 4 or 5 figures
        for (Path f : one.figures()) Files.delete(f);
        Files.delete(one.report());
        arm.report.Report.Written four = arm.report.Report.write(out, true, 4);
        assertThat(four.figures()).containsExactlyElementsOf(one.figures());
        assertThat(four.gradientTables()).containsExactlyElementsOf(one.gradientTables());
        assertThat(Files.readString(four.report())).isEqualTo(report);
        for (int i = 0; i < bytes.size(); i++)
            assertThat(Files.readAllBytes(four.figures().get(i)))
                    .as(four.figures().get(i).toString())
                    .isEqualTo(bytes.get(i));
    }

    @Test
    void aGenRunDrawsItsGeneratedSamplesPerTask() throws Exception {
        Path out = tmp.resolve("gen");
        MainTest.Outcome o =
                MainTest.run(
                        Methods::create,
                        "train",
                        "--method",
                        "GEN",
                        "--mlp_hidden",
                        "8",
                        "--gen_hidden",
                        "8",
                        "--z_size",
                        "4",
                        "--gen_iters",
                        "1",
                        "--cls_iters",
                        "1",
                        "--data",
                        data.toString(),
                        "--out",
                        out.toString());
        assertThat(o.code()).as(o.err()).isZero();
        Path png = out.resolve("figures/generated-GEN-run0.png");
        assertThat(ImageIO.read(png.toFile())).isNotNull();
        assertThat(Files.readString(out.resolve("report.md")))
                .contains("## Generated samples", "(figures/generated-GEN-run0.png)");
        JsonNode gen =
                new ObjectMapper()
                        .readTree(out.resolve("results.json").toFile())
                        .get("runs")
                        .get(0)
                        .get("generated");
        assertThat(gen.get("tasks")).hasSize(5);
        assertThat(gen.get("images").asText()).isEqualTo("runs/GEN-run0/generated-samples.npy");

        Files.delete(png); // plot redraws it from the side file
        MainTest.Outcome p = MainTest.run(Methods::create, "plot", out.toString());
        assertThat(p.code()).as(p.err()).isZero();
        assertThat(png).isRegularFile();
    }

    @Test
    void noFiguresRecordsNothingAndPlotOfAnEmptyFolderIsAUsageError() throws Exception {
        Path out = tmp.resolve("plain");
        MainTest.Outcome o =
                MainTest.run(
                        Methods::create,
                        "train",
                        "--method",
                        "Naive",
                        "--mlp_hidden",
                        "8",
                        "--no-figures",
                        "--data",
                        data.toString(),
                        "--out",
                        out.toString());
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(out.resolve("figures")).doesNotExist();
        assertThat(out.resolve("report.md")).doesNotExist();
        MainTest.Outcome p =
                MainTest.run(Methods::create, "plot", tmp.resolve("nothing").toString());
        assertThat(p.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(p.err()).contains("holds no results.json");
    }
}

package arm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import arm.data.Idx;
import arm.data.Mnist;
import arm.data.Mnist5kRealDataTest;
import arm.sweep.ExperimentFile;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * arm sweep (local executor), arm report and arm experiment end to end, on a small MNIST folder.
 */
class SweepCliTest {
    @TempDir Path tmp;

    /**
     * The built-in Table 6 file, reduced (fewer samples, runs and methods, a narrow MLP), as YAML.
     */
    static String reducedTable6(Path data, List<String> methods) throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        ObjectNode f = (ObjectNode) yaml.readTree(ExperimentFile.builtInText("table6"));
        f.put("samplesPerClass", 20)
                .put("runs", 2)
                .put("gradientSamples", 50)
                .put("data", data.toString());
        f.putArray("methods").addAll(methods.stream().map(TextNode::new).toList());
        f.putObject("options").put("mlp_hidden", 32);
        return yaml.writeValueAsString(f);
    }

    /** The table's rows without the time column. */
    static List<String> rows(String out) {
        List<String> rows = new ArrayList<>();
        for (String l : out.lines().toList())
            if (l.startsWith("| ")
                    && l.chars().filter(c -> c == '|').count() == 11
                    && !l.startsWith("| method")
                    && !l.startsWith("|  "))
                rows.add(l.substring(0, l.lastIndexOf('|', l.length() - 2)));
        return rows;
    }

    @Test
    void sweepOfTheReducedTable6FileGivesReproduceMnistsTable() throws IOException {
        // the real MNIST files when present (CI fetches them): a synthetic folder learns nothing to
        // compare
        Path real = Mnist5kRealDataTest.dataDir();
        Path data =
                Idx.find(real, Mnist.TRAIN_IMAGES) != null
                        ? real
                        : CliRuns.mnist(tmp.resolve("mnist"));
        List<String> methods = List.of("Stationary", "ARM", "ER-50");
        Path file = Files.writeString(tmp.resolve("t6.yaml"), reducedTable6(data, methods));
        Path sweep = tmp.resolve("sweep"), repro = tmp.resolve("repro");

        CliRuns.Outcome s =
                CliRuns.run(
                        MethodFactory.PUBLISHED,
                        List.of(
                                "sweep",
                                file.toString(),
                                "--out",
                                sweep.toString(),
                                "--jobs",
                                "2"));
        assertThat(s.code()).as(s.out() + s.err()).isZero();
        CliRuns.Outcome r =
                CliRuns.run(
                        MethodFactory.PUBLISHED,
                        List.of(
                                "reproduce",
                                "mnist",
                                "--methods",
                                String.join(",", methods),
                                "--runs",
                                "2",
                                "--samples-per-class",
                                "20",
                                "--gradient-samples",
                                "50",
                                "-o",
                                "mlp_hidden=32",
                                "--data",
                                data.toString(),
                                "--out",
                                repro.toString()));
        assertThat(r.code()).as(r.err()).isZero();

        assertThat(rows(s.out())).hasSize(3).isEqualTo(rows(r.out()));
        // runs.csv: reproduce's method,run,seed,acc,fgt,val vs the report's
        // row,method,seed,acc,fgt,val
        List<String> a = new ArrayList<>(), b = new ArrayList<>();
        for (String l : Files.readAllLines(repro.resolve("runs.csv")).subList(1, 7)) {
            String[] c = l.split(",");
            a.add(String.join(" ", c[0], c[2], c[3], c[4], c[5]));
        }
        for (String l : Files.readAllLines(sweep.resolve("report/runs.csv")).subList(1, 7)) {
            String[] c = l.split(",");
            b.add(String.join(" ", c[1], c[2], c[3], c[4], c[5]));
        }
        a.sort(null);
        b.sort(null);
        assertThat(b).isEqualTo(a);
        assertThat(a)
                .anyMatch(l -> l.startsWith("ARM 6579 "))
                .anyMatch(l -> l.startsWith("ER-50 1 "));

        // a second sweep finds everything finished and runs nothing
        CliRuns.Outcome again =
                CliRuns.run(
                        MethodFactory.PUBLISHED,
                        List.of("sweep", file.toString(), "--out", sweep.toString()));
        assertThat(again.out()).contains("6 runs, 6 finished, 0 running or queued, 0 to run");
        CliRuns.Outcome st =
                CliRuns.run(
                        MethodFactory.PUBLISHED,
                        List.of("sweep", "--status", file.toString(), "--out", sweep.toString()));
        assertThat(st.out()).contains("6 done, 0 running, 0 failed, 0 pending (of 6)");

        // report of the sweep and the reproduce folder together: the same rows twice → refused
        CliRuns.Outcome both =
                CliRuns.run(
                        MethodFactory.PUBLISHED,
                        List.of(
                                "report",
                                sweep.toString(),
                                repro.toString(),
                                "--out",
                                tmp.resolve("both").toString()));
        assertThat(both.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(both.err().strip())
                .startsWith("arm: will not merge: row Stationary seed 4947 is in two folders")
                .doesNotContain("\n");
    }

    @Test
    void reportOfAnAblationSweepDrawsFiguresPerRow() throws IOException {
        // rows named as Table 7 names them (λ, =, spaces); every row's method is ARM
        Path data = CliRuns.mnist(tmp.resolve("mnist"));
        Path file =
                Files.writeString(
                        tmp.resolve("ablation.yaml"),
                        "benchmark: mnist\nmethods: [ARM]\nruns: 1\nsamplesPerClass: 20\n"
                                + "gradientSamples: 0\nfigures: true\ndata: "
                                + data
                                + "\noptions: {mlp_hidden: 16}\nvariants:\n"
                                + "  - {name: baseline}\n"
                                + "  - {name: \"λ3=0\", options: {ARM.lambda3: 0}}\n");
        Path sweep = tmp.resolve("ablation");
        CliRuns.Outcome s =
                CliRuns.run(
                        MethodFactory.PUBLISHED,
                        List.of("sweep", file.toString(), "--out", sweep.toString()));
        assertThat(s.code()).as(s.out() + s.err()).isZero();
        String report = Files.readString(sweep.resolve("report/report.md"));
        assertThat(report).doesNotContain("could not be drawn");
        for (String row : List.of("ARM-baseline-run0", "ARM-lambda3-0-run0")) {
            for (String fig : List.of("fig3-recall-history-", "fig4-task-accuracy-", "losses-"))
                assertThat(sweep.resolve("report/figures/" + fig + row + ".png")).isRegularFile();
            // the side files are copied next to the report, which reads nothing outside itself
            assertThat(sweep.resolve("report/runs/" + row + "/train-log.csv")).isRegularFile();
        }
    }

    @Test
    void experimentFilesArePrintableAndBadOnesAreOneLine() throws IOException {
        CliRuns.Outcome show =
                CliRuns.run(MethodFactory.PUBLISHED, List.of("experiment", "show", "table7"));
        assertThat(show.code()).isZero();
        assertThat(show.out()).contains("name: table7", "ARM.lambda3: 0");
        CliRuns.Outcome list = CliRuns.run(MethodFactory.PUBLISHED, List.of("experiment", "list"));
        assertThat(list.out()).contains("table6          55 runs", "table7          70 runs");

        Path bad =
                Files.writeString(
                        tmp.resolve("bad.yaml"),
                        "benchmark: mnist\nmethods: [ARM]\ngrid: {ARM.M: [10, -1]}\n");
        CliRuns.Outcome b =
                CliRuns.run(MethodFactory.PUBLISHED, List.of("sweep", bad.toString(), "--dry-run"));
        assertThat(b.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(b.err().strip()).startsWith("arm: ARM M=-1: ").doesNotContain("\n");

        Path ok =
                Files.writeString(
                        tmp.resolve("ok.yaml"), "benchmark: mnist\nmethods: [ARM]\nruns: 2\n");
        CliRuns.Outcome dry =
                CliRuns.run(
                        MethodFactory.PUBLISHED,
                        List.of(
                                "sweep",
                                ok.toString(),
                                "--dry-run",
                                "--executor",
                                "slurm",
                                "--out",
                                tmp.resolve("dry").toString(),
                                "--partition",
                                "p1",
                                "--time",
                                "00:10:00"));
        assertThat(dry.code()).isZero();
        assertThat(dry.out())
                .contains(
                        "pending  ARM_s0-",
                        "#SBATCH --array=0-1",
                        "#SBATCH --partition=p1",
                        "#SBATCH --time=00:10:00");
        assertThat(tmp.resolve("dry")).doesNotExist();

        CliRuns.Outcome one =
                CliRuns.run(
                        MethodFactory.PUBLISHED,
                        List.of(
                                "run-one",
                                ok.toString(),
                                "--run",
                                "ARM_s9-00000000",
                                "--out",
                                tmp.resolve("one").toString()));
        assertThat(one.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(one.err().strip())
                .isEqualTo(
                        "arm: no run 'ARM_s9-00000000' in this experiment (2 runs; see arm sweep"
                                + " --dry-run)");
    }
}

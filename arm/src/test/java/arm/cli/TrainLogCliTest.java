package arm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import arm.method.Methods;
import arm.report.TrainLogFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * runs/&lt;run&gt;/train-log.csv: written by every method, continuous across a resume, drawn by
 * plot.
 */
class TrainLogCliTest {
    @TempDir Path tmp;

    List<String> reproduce(Path data, Path out, String methods) {
        return new ArrayList<>(
                List.of(
                        "reproduce",
                        "mnist",
                        "--methods",
                        methods,
                        "--runs",
                        "2",
                        "--threads",
                        "2",
                        "--samples-per-class",
                        "30",
                        "--data",
                        data.toString(),
                        "--out",
                        out.toString(),
                        "-o",
                        "mlp_hidden=16",
                        "-o",
                        "ARM:S=3",
                        "--checkpoint-every",
                        "5",
                        "--rng",
                        "ours",
                        "--gradient-samples",
                        "0"));
    }

    @Test
    void everyMethodLogsItsLossesAndPlotDrawsThem() throws Exception {
        Path data = CliRuns.mnist(tmp.resolve("mnist")), out = tmp.resolve("out");
        List<String> args =
                reproduce(data, out, "Naive,Stationary,Distill,ADI,ARM,ER-10,ER-MIR-10");
        args.addAll(List.of("-o", "ADI:S=3", "--log-every", "2"));
        CliRuns.Outcome o = CliRuns.run(Methods::create, args);
        assertThat(o.code()).as(o.err()).isZero();
        for (String m :
                List.of("Naive", "Stationary", "Distill", "ADI", "ARM", "ER-10", "ER-MIR-10")) {
            TrainLogFile.Curves c = TrainLogFile.read(TrainLogFile.of(out, m, 1));
            assertThat(c.t()).as(m).startsWith(0, 2, 4).hasSize(15); // max_t = 30, every 2nd
            assertThat(Arrays.stream(column(c, "step_a")).allMatch(v -> v > 0)).as(m).isTrue();
            assertThat(Arrays.stream(column(c, "lr")).allMatch(v -> (float) v == 0.05f))
                    .as(m)
                    .isTrue();
            boolean stepB = !m.equals("Naive") && !m.equals("Stationary");
            double b = column(c, "step_b")[10];
            assertThat(stepB ? b > 0 : Double.isNaN(b)).as(m + " step_b " + b).isTrue();
        }
        TrainLogFile.Curves arm = TrainLogFile.read(TrainLogFile.of(out, "ARM", 0));
        for (String term :
                List.of(
                        "recall",
                        "recall_D",
                        "recall_NL_old",
                        "recall_NL_new",
                        "recall_div",
                        "recall_sharp",
                        "recall_L2",
                        "recall_TV")) assertThat(column(arm, term)[10]).as(term).isFinite();
        assertThat(column(arm, "recall_classes")[10]).isNaN();
        assertThat(column(arm, "recall")[0]).isNaN(); // no recall in the first task
        TrainLogFile.Curves adi = TrainLogFile.read(TrainLogFile.of(out, "ADI", 0));
        assertThat(column(adi, "recall_classes")[10]).isFinite();
        assertThat(Files.readString(out.resolve("results.json")))
                .contains("\"trainLog\" : \"runs/ARM-run0/train-log.csv\"");
        assertThat(out.resolve("figures/losses-ARM-run0.png")).exists();
        assertThat(Files.readString(out.resolve("report.md")))
                .contains("## Training losses")
                .contains("(figures/losses-ARM-run0.png)")
                .contains("(runs/ARM-run0/train-log.csv)");
    }

    @Test
    void aResumedRunsLogContinuesWithoutGapOrRepeat() throws Exception {
        Path data = CliRuns.mnist(tmp.resolve("mnist"));
        Path base = tmp.resolve("base"), crashed = tmp.resolve("crashed");
        assertThat(CliRuns.run(Methods::create, reproduce(data, base, "ARM")).code()).isZero();
        // run 1 stops after its iteration 17; its last checkpoint is at t = 15, so rows 15..17 are
        // redone
        CliRuns.Outcome o =
                CliRuns.run(
                        (name, opts) ->
                                new HookedMethod(
                                        Methods.create(name, opts),
                                        g -> {
                                            if (g == 30 + 17)
                                                throw new IllegalStateException("simulated crash");
                                        }),
                        reproduce(data, crashed, "ARM"));
        assertThat(o.code()).isEqualTo(Main.EXIT_RUN_FAILED);
        Path log = TrainLogFile.of(crashed, "ARM", 1);
        assertThat(Files.readAllLines(log)).hasSize(1 + 18);
        CliRuns.Outcome r =
                CliRuns.run(Methods::create, List.of("reproduce", "--resume", crashed.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        for (int run = 0; run < 2; run++)
            assertThat(withoutSeconds(TrainLogFile.of(crashed, "ARM", run)))
                    .isEqualTo(withoutSeconds(TrainLogFile.of(base, "ARM", run)));
    }

    private static double[] column(TrainLogFile.Curves c, String name) {
        return c.values()[c.columns().indexOf(name)];
    }

    /**
     * The log's lines with the seconds column blanked (the only one that differs between equal
     * runs).
     */
    private static List<String> withoutSeconds(Path log) throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            String[] f = line.split(",", -1);
            f[3] = "";
            out.add(String.join(",", f));
        }
        return out;
    }
}

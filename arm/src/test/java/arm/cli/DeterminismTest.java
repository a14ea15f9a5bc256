package arm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import arm.method.Methods;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance test 4 of issue 7: one seed fixes every random stream (data split, stationary shuffle,
 * weight init, recall draws, noise), so two runs of the same command write the same results.json
 * (times and paths aside) and the same weights; the same holds in other JVMs with 1, 2 and 3 kernel
 * threads (-Darm.threads) and every GEMM large enough split across them.
 */
class DeterminismTest {
    @TempDir Path tmp;

    List<String> args(Path data, Path out, String seed0) {
        return new ArrayList<>(
                List.of(
                        "reproduce",
                        "mnist",
                        "--methods",
                        "Stationary,ARM",
                        "--runs",
                        "1",
                        "--threads",
                        "2",
                        "--samples-per-class",
                        "30",
                        "--seed0",
                        seed0,
                        "--data",
                        data.toString(),
                        "--out",
                        out.toString(),
                        "-o",
                        "mlp_hidden=32",
                        "-o",
                        "ARM:init=noise",
                        "-o",
                        "ARM:M=7",
                        "-o",
                        "ARM:S=4",
                        "--keep-checkpoints"));
    }

    @Test
    void sameSeedSameResultsAndWeightsAcrossRunsAndThreadCounts() throws Exception {
        Path data = CliRuns.mnist(tmp.resolve("mnist"));
        Path a = tmp.resolve("a"), b = tmp.resolve("b"), other = tmp.resolve("other");
        for (Path p : List.of(a, b)) {
            CliRuns.Outcome o = CliRuns.run(Methods::create, args(data, p, "3"));
            assertThat(o.code()).as(o.err()).isZero();
        }
        assertThat(CliRuns.comparable(b)).isEqualTo(CliRuns.comparable(a));
        CliRuns.assertSameFinalCheckpoints(a, b, "ARM", 1);
        CliRuns.assertSameFinalCheckpoints(a, b, "Stationary", 1);

        // Other kernel thread counts, with every GEMM split that can be (arm.gemm.splitMin=1): the
        // parts change who computes which columns, never the bits.
        for (String threads : List.of("1", "2", "3")) {
            Path c = tmp.resolve("threads" + threads);
            List<String> cmd =
                    CliRuns.childJava(
                            Main.class.getName(), "arm.threads=" + threads, "arm.gemm.splitMin=1");
            cmd.addAll(args(data, c, "3"));
            Path log = tmp.resolve("child" + threads + ".log");
            Process p =
                    new ProcessBuilder(cmd)
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile())
                            .start();
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(Files.readString(log)).isZero();
            assertThat(CliRuns.comparable(c))
                    .as("arm.threads=" + threads)
                    .isEqualTo(CliRuns.comparable(a));
            CliRuns.assertSameFinalCheckpoints(a, c, "ARM", 1);
        }

        CliRuns.Outcome o = CliRuns.run(Methods::create, args(data, other, "4"));
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(CliRuns.comparable(other).get("runs"))
                .isNotEqualTo(CliRuns.comparable(a).get("runs"));
    }
}

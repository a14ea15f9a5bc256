package arm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import arm.io.OutputLock;
import arm.io.ResultsJson;
import arm.method.Methods;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code reproduce --resume} after a crash, and the ways --resume refuses to go wrong. */
class ResumeCliTest {
    @TempDir Path tmp;

    List<String> reproduce(Path data, Path out) {
        return new ArrayList<>(
                List.of(
                        "reproduce",
                        "mnist",
                        "--methods",
                        "Naive,ARM",
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
                        "--keep-checkpoints"));
    }

    @Test
    void reproduceResumesOnlyWhatDidNotFinish() throws Exception {
        Path data = CliRuns.mnist(tmp.resolve("mnist"));
        Path base = tmp.resolve("base"), crashed = tmp.resolve("crashed");
        assertThat(CliRuns.run(Methods::create, reproduce(data, base)).code()).isZero();
        // ARM's run 1 (seed 1) crashes after its iteration 17; everything else finishes
        CliRuns.Outcome o =
                CliRuns.run(
                        (name, opts) ->
                                new HookedMethod(
                                        Methods.create(name, opts),
                                        g -> {
                                            if (name.equals("ARM") && g == 30 + 17)
                                                throw new IllegalStateException("simulated crash");
                                        }),
                        reproduce(data, crashed));
        assertThat(o.code()).isEqualTo(Main.EXIT_RUN_FAILED);
        assertThat(o.err()).contains("simulated crash").contains("--resume " + crashed);
        ResultsJson.Doc before = ResultsJson.read(crashed.resolve("results.json"));
        assertThat(before.runs()).hasSize(3);
        assertThat(before.failures()).hasSize(1);

        CliRuns.Outcome r =
                CliRuns.run(Methods::create, List.of("reproduce", "--resume", crashed.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("Resuming " + crashed);
        assertThat(CliRuns.comparable(crashed)).isEqualTo(CliRuns.comparable(base));
        CliRuns.assertSameFinalCheckpoints(base, crashed, "ARM", 2);
        CliRuns.assertSameFinalCheckpoints(base, crashed, "Naive", 2);
    }

    @Test
    void resumeRefusesWhatWouldMixTwoRuns() throws Exception {
        Path data = CliRuns.mnist(tmp.resolve("mnist"));
        Path out = tmp.resolve("out");
        List<String> train =
                List.of(
                        "train",
                        "--method",
                        "Naive",
                        "--runs",
                        "2",
                        "--samples-per-class",
                        "30",
                        "--data",
                        data.toString(),
                        "--out",
                        out.toString(),
                        "--mlp_hidden",
                        "16",
                        "--keep-checkpoints");
        assertThat(CliRuns.run(Methods::create, train).code()).isZero();

        Object[][] refused = {
            {List.of("train", "--resume", out.toString(), "--lr", "0.1"), "drop --lr 0.1"},
            {List.of("train", "--resume", out.toString(), "--method", "ARM"), "drop --method"},
            {List.of("train", "--resume", out.toString(), "--seed0", "3"), "drop --seed0"},
            {List.of("reproduce", "mnist", "--resume", out.toString()), "drop mnist"},
            {
                List.of("train", "--resume", tmp.resolve("nothing").toString()),
                "has no results.json"
            },
            {train, "already holds checkpoints"},
        };
        for (Object[] c : refused) {
            @SuppressWarnings("unchecked")
            CliRuns.Outcome o = CliRuns.run(Methods::create, (List<String>) c[0]);
            assertThat(o.code()).as(c[0].toString()).isEqualTo(Main.EXIT_BAD_INPUT);
            assertThat(o.err()).as(c[0].toString()).contains((String) c[1]).doesNotContain("\tat ");
        }
        try (OutputLock lock = OutputLock.acquire(out)) {
            CliRuns.Outcome o =
                    CliRuns.run(Methods::create, List.of("train", "--resume", out.toString()));
            assertThat(o.code()).isEqualTo(Main.EXIT_BAD_INPUT);
            assertThat(o.err()).contains("in use by another arm command");
        }
        // a checkpoint of another run (run 0's under run 1's name) is refused, naming the
        // difference
        Path ck0 = out.resolve("checkpoints/Naive-run0.safetensors"),
                ck1 = out.resolve("checkpoints/Naive-run1.safetensors");
        byte[] good1 = Files.readAllBytes(ck1);
        Files.copy(ck0, ck1, StandardCopyOption.REPLACE_EXISTING);
        CliRuns.Outcome o =
                CliRuns.run(Methods::create, List.of("train", "--resume", out.toString()));
        assertThat(o.code()).isEqualTo(Main.EXIT_RUN_FAILED);
        assertThat(o.err())
                .contains(ck1.toString())
                .contains("belongs to a different run: run 0, not 1");
        Files.write(ck1, good1);
        // a damaged checkpoint is named, and the run is reported as failed, not silently restarted
        byte[] b = Files.readAllBytes(ck0);
        b[b.length - 5] ^= 1;
        Files.write(ck0, b);
        o = CliRuns.run(Methods::create, List.of("train", "--resume", out.toString()));
        assertThat(o.code()).isEqualTo(Main.EXIT_RUN_FAILED);
        assertThat(o.err()).contains(ck0.toString()).contains("checksum mismatch");
        // without the damaged file the run starts afresh and finishes
        Files.delete(ck0);
        assertThat(
                        CliRuns.run(Methods::create, List.of("train", "--resume", out.toString()))
                                .code())
                .isZero();
    }
}

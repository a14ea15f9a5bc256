package arm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import arm.io.AtomicFile;
import arm.io.OutputLock;
import arm.method.Methods;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The holes a hostile probe of the CLI found, each closed: where results may land, what a results
 * folder must be, what is refused up front, how errors look, and what a signal prints.
 */
class HardeningCliTest {
    @TempDir static Path shared;
    @TempDir Path tmp;
    static Path data;

    @BeforeAll
    static void writeData() throws Exception {
        data = CliRuns.mnist(shared.resolve("mnist"));
    }

    static List<String> naive(Path out, String... more) {
        List<String> a =
                new ArrayList<>(
                        List.of(
                                "train",
                                "--method",
                                "Naive",
                                "--runs",
                                "1",
                                "--samples-per-class",
                                "30",
                                "--data",
                                data.toString(),
                                "--out",
                                out.toString(),
                                "--mlp_hidden",
                                "8"));
        a.addAll(List.of(more));
        return a;
    }

    /** Exit 2 and one line "arm: …" (plus at most a hint line) naming {@code what}. */
    static CliRuns.Outcome refused(List<String> args, String what) {
        CliRuns.Outcome o = CliRuns.run(Methods::create, args);
        assertThat(o.code()).as(args + ": " + o.err()).isEqualTo(Main.EXIT_BAD_INPUT);
        List<String> lines = o.err().lines().toList();
        assertThat(lines.size()).as(o.err()).isBetween(1, 2);
        assertThat(lines.get(0)).startsWith("arm: ").contains(what).doesNotContain("arm: arm:");
        return o;
    }

    @Test
    void anEmptyOutOrResumeIsRefused() {
        List<String> a = naive(Path.of("x"));
        a.set(a.indexOf("--out") + 1, "");
        refused(a, "--out is empty");
        refused(List.of("train", "--resume", ""), "--resume is empty");
        assertThat(Path.of("results.json")).doesNotExist();
    }

    @Test
    void aFolderThatIsNotOursIsNeverWritten() throws Exception {
        Path theirs = Files.createDirectories(tmp.resolve("theirs"));
        Files.writeString(theirs.resolve("results.json"), "{\"mine\": 1}");
        Files.writeString(theirs.resolve("runs.csv"), "a,b\n");
        refused(naive(theirs), "is not empty and is not an arm results folder");
        assertThat(Files.readString(theirs.resolve("results.json"))).isEqualTo("{\"mine\": 1}");
        assertThat(theirs.resolve(OutputLock.NAME)).doesNotExist();
    }

    @Test
    void aFinishedCommandKeepsNoCheckpointsAndResumeHasNothingToDo() throws Exception {
        Path out = tmp.resolve("out");
        CliRuns.Outcome o = CliRuns.run(Methods::create, naive(out));
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out()).contains("Checkpoints removed");
        assertThat(out.resolve("checkpoints")).doesNotExist();
        String before = Files.readString(out.resolve("results.json"));
        CliRuns.Outcome r =
                CliRuns.run(Methods::create, List.of("train", "--resume", out.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("Nothing to resume");
        assertThat(Files.readString(out.resolve("results.json"))).isEqualTo(before);
        // a second fresh command on the same folder is refused, the first one's results kept
        refused(naive(out), "already holds the results of an earlier command");
        assertThat(Files.readString(out.resolve("results.json"))).isEqualTo(before);
    }

    @Test
    void keepCheckpointsKeepsTheFinalAndEveryTaskEndCheckpoint() throws Exception {
        Path out = tmp.resolve("out");
        assertThat(CliRuns.run(Methods::create, naive(out, "--keep-checkpoints")).code()).isZero();
        try (var s = Files.list(out.resolve("checkpoints"))) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly(
                            "Naive-run0-t12.safetensors",
                            "Naive-run0-t18.safetensors",
                            "Naive-run0-t24.safetensors",
                            "Naive-run0-t6.safetensors",
                            "Naive-run0.safetensors");
        }
    }

    @Test
    void theSecondCommandOnALockedFolderIsRefused() throws Exception {
        Path out = tmp.resolve("busy");
        try (OutputLock lock = OutputLock.acquire(out)) {
            refused(naive(out), "in use by another arm command");
        }
        assertThat(CliRuns.run(Methods::create, naive(out)).code()).isZero();
    }

    @Test
    void aSecondCommandOnTheFolderOfARunningOneIsRefusedAndTheFirstFinishes() throws Exception {
        Path out = tmp.resolve("shared");
        List<String> cmd = CliRuns.childJava(ChildMain.class.getName(), "arm.test.pauseAt=3");
        cmd.addAll(naive(out, "--checkpoint-every", "2"));
        Process first =
                new ProcessBuilder(cmd).redirectError(tmp.resolve("first.err").toFile()).start();
        try (var r = new BufferedReader(new InputStreamReader(first.getInputStream()))) {
            for (String l; (l = r.readLine()) != null && !l.startsWith("PAUSED"); ) {}
            refused(naive(out), "in use by another arm command");
            refused(List.of("train", "--resume", out.toString()), "in use by another arm command");
            first.destroyForcibly(); // SIGKILL: the OS drops its lock
            assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        CliRuns.Outcome o =
                CliRuns.run(Methods::create, List.of("train", "--resume", out.toString()));
        assertThat(o.code()).as(o.err()).isZero();
    }

    @Test
    void absurdNumbersAreRefusedUpFront() {
        List<String> many = naive(tmp.resolve("a"));
        many.set(many.indexOf("--runs") + 1, "1000000");
        refused(many, "--runs 1000000 is more than 1000");
        refused(
                naive(tmp.resolve("b"), "--checkpoint-every", "0"),
                "--checkpoint-every must be at least 1, got 0");
        refused(
                naive(tmp.resolve("c"), "--checkpoint-every", "-5"),
                "--checkpoint-every must be at least 1, got -5");
        assertThat(tmp.resolve("a")).doesNotExist();
    }

    @Test
    void errorsAreOneLineWithAtMostAHint() {
        CliRuns.Outcome o = refused(List.of("train", "--runs", "abc"), "'abc' is not an int");
        assertThat(o.err()).endsWith("see arm train --help" + System.lineSeparator());
        o = refused(List.of("train"), "missing --method");
        for (String m : Methods.NAMES) assertThat(o.err()).contains(m);
        assertThat(
                        refused(
                                        naive(tmp.resolve("x"), "--nope", "1"),
                                        "arm: Naive has no option 'nope'")
                                .err())
                .doesNotContain("Naive: Naive");
        refused(List.of("reproduce", "nonsense"), "BENCHMARK");
        refused(List.of(), "missing command");
    }

    @Test
    void helpStatesTheExitCodes() {
        CliRuns.Outcome o = CliRuns.run(Methods::create, List.of("--help"));
        assertThat(o.out())
                .contains("Exit codes:", "0  success", "1  a run failed", "2  bad input");
    }

    @Test
    void aResultsJsonThatIsAFifoIsNamedNotWaitedFor() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("fifo"));
        Path json = out.resolve("results.json");
        Assumptions.assumeTrue(
                new ProcessBuilder("mkfifo", json.toString()).start().waitFor() == 0,
                "mkfifo is not available");
        refused(List.of("reproduce", "--resume", out.toString()), "FIFO");
    }

    @Test
    void aCheckpointThatIsASymlinkLoopFailsTheRunInsteadOfRestartingIt() throws Exception {
        Path out = tmp.resolve("out");
        List<String> args = naive(out, "--keep-checkpoints");
        args.set(args.indexOf("--runs") + 1, "2");
        assertThat(CliRuns.run(Methods::create, args).code()).isZero();
        Path ck = out.resolve("checkpoints/Naive-run1.safetensors");
        Files.delete(ck);
        Files.createSymbolicLink(ck, ck);
        CliRuns.Outcome o =
                CliRuns.run(Methods::create, List.of("train", "--resume", out.toString()));
        assertThat(o.code()).isEqualTo(Main.EXIT_RUN_FAILED);
        assertThat(o.err()).contains(ck.toString()).contains("symbolic-link loop");
    }

    @Test
    void aTmpDirectoryInTheWayIsNamed() throws Exception {
        Path f = tmp.resolve("ARM-run0.safetensors"),
                tmpDir = Files.createDirectories(tmp.resolve("ARM-run0.safetensors.tmp"));
        Assertions.assertThatThrownBy(() -> AtomicFile.write(f, new byte[1]))
                .hasMessageContaining(tmpDir + " is a directory");
    }

    @Test
    void sigtermPrintsHowToContinue() throws Exception {
        Path out = tmp.resolve("out");
        List<String> cmd = CliRuns.childJava(ChildMain.class.getName(), "arm.test.pauseAt=3");
        cmd.addAll(naive(out));
        Path err = tmp.resolve("err.txt");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        try (var r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            for (String l; (l = r.readLine()) != null && !l.startsWith("PAUSED"); ) {}
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(Files.readString(err))
                .contains("continue with: java -jar arm.jar train --resume " + out);
    }
}

package arm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import arm.io.Checkpoint;
import arm.io.ResultsJson;
import arm.method.Methods;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance test 3 of issue 7: the disk fills up, or a checkpoint becomes unwritable, in the
 * middle of a command. The command must stop that run with a one-line error naming the file and the
 * cause, leave the previous checkpoint and results.json intact and readable, and continue correctly
 * with --resume once the trouble is gone.
 *
 * <p>The full disk is a 1 MiB tmpfs (needs root and mount; skipped with the reason otherwise); the
 * read-only case uses {@code chattr +i} on the checkpoint (skipped where the file system has no
 * immutable flag). AtomicFileTest covers the same paths without either, through /dev/full and an
 * injected failure.
 */
class DiskTroubleTest {
    @TempDir Path tmp;
    Path mounted, immutable;

    @AfterEach
    void cleanUp() throws Exception {
        if (immutable != null) exec("chattr", "-i", immutable.toString());
        if (mounted != null) exec("umount", mounted.toString());
    }

    static int exec(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    /**
     * Waits (at most 30 s) until the checkpoint holds iteration t: task-end checkpoints are written
     * on a background thread, so the one handed over just before the hook may still be in flight.
     */
    static boolean awaitCheckpoint(Path ckpt, int t) {
        long end = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < end) {
            try {
                if (Files.isRegularFile(ckpt) && Checkpoint.read(ckpt).state().t() == t)
                    return true;
            } catch (IOException | RuntimeException e) {
                // not there yet
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        throw new AssertionError("the checkpoint at t = " + t + " was never written");
    }

    List<String> args(Path data, Path out) {
        List<String> a = CliRuns.armArgs(data, out);
        a.set(a.indexOf("--runs") + 1, "1");
        a.remove("--keep-checkpoints"); // a 1 MiB disk holds no task-end copies
        return a;
    }

    @Test
    void aFullDiskStopsTheRunCleanlyAndResumeFinishesIt() throws Exception {
        Path data = CliRuns.mnist(tmp.resolve("mnist"));
        Path disk = Files.createDirectories(tmp.resolve("disk"));
        assumeTrue(
                exec("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", disk.toString()) == 0,
                "cannot mount a small tmpfs here (needs root and mount permission)");
        mounted = disk;
        Path out = disk.resolve("out"), filler = disk.resolve("filler");
        Path ckpt = out.resolve("checkpoints/ARM-run0.safetensors");
        // after iteration 8 (checkpoint at t = 8 handed to the writer thread just before it, and
        // waited for here), fill the disk; the save at t = 12 fails, and the run stops at its next
        // iteration
        StringBuilder afterFill = new StringBuilder();
        CliRuns.Outcome o =
                CliRuns.run(
                        HookedMethod.factory(
                                g -> {
                                    if (g == 8) {
                                        awaitCheckpoint(ckpt, 8);
                                        fill(filler);
                                        afterFill.append(listing(disk));
                                    }
                                }),
                        args(data, out));
        assertThat(o.code()).as(o.out() + o.err()).isEqualTo(Main.EXIT_RUN_FAILED);
        // if a later checkpoint than t = 12 fails, something freed space after the fill: say what
        // the disk held then and holds now
        assertThat(o.err())
                .as("after the fill:\n%s\nat the end:\n%s", afterFill, listing(disk))
                .contains("No space left on device")
                .contains(ckpt.toString())
                .contains("the run stopped at iteration")
                .contains("(the checkpoint of iteration 12 failed)")
                .contains("--resume " + out);
        assertThat(Checkpoint.read(ckpt).state().t())
                .isEqualTo(8); // the previous checkpoint, intact
        ResultsJson.read(out.resolve("results.json")); // the last results.json written is intact
        assertThat(out.resolve("checkpoints/ARM-run0.safetensors.tmp")).doesNotExist();

        Files.delete(filler);
        CliRuns.Outcome r =
                CliRuns.run(Methods::create, List.of("train", "--resume", out.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        Path base = tmp.resolve("base");
        assertThat(CliRuns.run(Methods::create, args(data, base)).code()).isZero();
        assertThat(CliRuns.comparable(out)).isEqualTo(CliRuns.comparable(base));
        ResultsJson.Doc doc = ResultsJson.read(out.resolve("results.json"));
        assertThat(doc.runs()).hasSize(1);
        assertThat(doc.failures()).isEmpty(); // the failure is gone once the run has finished
    }

    @Test
    void aCheckpointThatCannotBeReplacedLeavesTheOldOneAndAClearError() throws Exception {
        Path data = CliRuns.mnist(tmp.resolve("mnist"));
        Path out = tmp.resolve("out"), ckpt = out.resolve("checkpoints/ARM-run0.safetensors");
        boolean[] locked = {false};
        CliRuns.Outcome o =
                CliRuns.run(
                        HookedMethod.factory(
                                g -> {
                                    if (g == 8
                                            && awaitCheckpoint(ckpt, 8)
                                            && exec("chattr", "+i", ckpt.toString()) == 0) {
                                        immutable = ckpt;
                                        locked[0] = true;
                                    }
                                }),
                        args(data, out));
        assumeTrue(locked[0], "chattr +i is not available or not supported by this file system");
        assertThat(o.code()).isEqualTo(Main.EXIT_RUN_FAILED);
        assertThat(o.err()).contains(ckpt.toString()).contains("Operation not permitted");
        assertThat(Checkpoint.read(ckpt).state().t()).isEqualTo(8);
        ResultsJson.Doc doc = ResultsJson.read(out.resolve("results.json"));
        assertThat(doc.failures()).hasSize(1);
        assertThat(doc.failures().get(0).error()).contains(ckpt.toString()).doesNotContain("\n");
    }

    @Test
    void aFileWhereTheCheckpointFolderShouldBeIsAClearError() throws Exception {
        Path data = CliRuns.mnist(tmp.resolve("mnist"));
        Path out = tmp.resolve("out");
        CliRuns.Outcome o =
                CliRuns.run(
                        HookedMethod.factory(
                                g -> {
                                    if (g == 1) {
                                        try {
                                            Files.writeString(
                                                    out.resolve("checkpoints"), "in the way");
                                        } catch (IOException e) {
                                            throw new UncheckedIOException(e);
                                        }
                                    }
                                }),
                        args(data, out));
        assertThat(o.code()).isEqualTo(Main.EXIT_RUN_FAILED);
        assertThat(o.err())
                .contains("cannot create checkpoint folder " + out.resolve("checkpoints"));
        assertThat(ResultsJson.read(out.resolve("results.json")).failures()).hasSize(1);
    }

    @Test
    void aNaNStopsTheRunNamingMethodIterationAndTermAndKeepsTheCheckpoint() throws Exception {
        Path data = CliRuns.mnist(tmp.resolve("mnist"));
        Path out = tmp.resolve("out");
        List<String> a =
                List.of(
                        "train",
                        "--method",
                        "Naive",
                        "--runs",
                        "2",
                        "--threads",
                        "1",
                        "--samples-per-class",
                        "30",
                        "--checkpoint-every",
                        "1",
                        "--data",
                        data.toString(),
                        "--out",
                        out.toString(),
                        "--mlp_hidden",
                        "32",
                        "--lr",
                        "1e30");
        CliRuns.Outcome o = CliRuns.run(Methods::create, a);
        assertThat(o.code()).as(o.err()).isEqualTo(Main.EXIT_RUN_FAILED);
        assertThat(o.err())
                .containsPattern(
                        "Naive iteration \\d+: step A loss CE\\(f_cur\\(X\\), Y\\) is"
                                + " (NaN|Infinity)")
                .doesNotContain("\tat ");
        ResultsJson.Doc doc = ResultsJson.read(out.resolve("results.json"));
        assertThat(doc.failures()).hasSize(2);
        assertThat(Checkpoint.read(out.resolve("checkpoints/Naive-run0.safetensors")).state().t())
                .isPositive();
    }

    /** Free bytes of the file system at dir, then every file under it with its size. */
    static String listing(Path dir) {
        StringBuilder sb = new StringBuilder();
        try (var files = Files.walk(dir)) {
            sb.append("usable ").append(Files.getFileStore(dir).getUsableSpace()).append(" B\n");
            for (Path f : files.sorted().toList())
                if (Files.isRegularFile(f))
                    sb.append(dir.relativize(f)).append(' ').append(Files.size(f)).append('\n');
        } catch (IOException | UncheckedIOException e) {
            sb.append("(cannot list ").append(dir).append(": ").append(e).append(")\n");
        }
        return sb.toString();
    }

    /** Writes zeros until the disk is full. */
    static void fill(Path filler) {
        try (OutputStream s = Files.newOutputStream(filler)) {
            byte[] block = new byte[4096];
            while (true) s.write(block);
        } catch (IOException expected) {
            // No space left on device
        }
    }
}

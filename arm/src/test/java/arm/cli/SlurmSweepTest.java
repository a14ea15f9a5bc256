package arm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import arm.data.Idx;
import arm.data.Mnist;
import arm.data.Mnist5kRealDataTest;
import arm.sweep.RunFolder;
import arm.sweep.Slurm;
import arm.sweep.SweepRoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Slurm executor on a real (one-machine) cluster, started by scripts/slurm-cluster.sh: a sweep
 * of 4 array tasks (Naive and ARM, 2 seeds each), one ARM task cancelled with scancel after its
 * first checkpoint and submitted again, which resumes it; the merged table equals the local
 * executor's bit for bit. Tagged "slurm": run by scripts/slurm-test.sh (from .ci/run), not by a
 * plain build; without a cluster it says why and is skipped.
 */
@Tag("slurm")
class SlurmSweepTest {
    @TempDir Path tmp;

    @Test
    void aCancelledTaskResubmittedResumesAndTheMergedTableEqualsTheLocalOne() throws Exception {
        String why = clusterProblem();
        if (why != null) System.err.println("SKIPPED SlurmSweepTest: " + why);
        Assumptions.assumeTrue(why == null, why);
        Path real = Mnist5kRealDataTest.dataDir();
        Path data =
                Idx.find(real, Mnist.TRAIN_IMAGES) != null
                        ? real
                        : CliRuns.mnist(tmp.resolve("mnist"));
        // ARM with S = 200 refinement steps runs long enough (≈ 10 s) to be cancelled between
        // checkpoints
        Path file =
                Files.writeString(
                        tmp.resolve("small.yaml"),
                        """
                        name: slurm-test
                        benchmark: mnist
                        methods: [Naive, ARM]
                        runs: 2
                        samplesPerClass: 50
                        options: {ARM.S: 200}
                        gradientSamples: 0
                        checkpointEvery: 5
                        data: %s
                        """
                                .formatted(data));
        Path local = tmp.resolve("local"), cluster = tmp.resolve("cluster");

        CliRuns.Outcome l =
                CliRuns.run(
                        MethodFactory.PUBLISHED,
                        List.of(
                                "sweep",
                                file.toString(),
                                "--out",
                                local.toString(),
                                "--jobs",
                                "2"));
        assertThat(l.code()).as(l.out() + l.err()).isZero();

        CliRuns.Outcome s =
                CliRuns.run(
                        MethodFactory.PUBLISHED,
                        List.of(
                                "sweep",
                                file.toString(),
                                "--out",
                                cluster.toString(),
                                "--executor",
                                "slurm"));
        assertThat(s.code()).as(s.out() + s.err()).isZero();
        SweepRoot root = new SweepRoot(cluster);
        Slurm.Job job = Slurm.jobs(root).get(0);
        assertThat(job.runs()).hasSize(4);
        System.out.println(
                "== submitted script "
                        + job.script()
                        + "\n"
                        + Files.readString(Path.of(job.script())));

        // cancel the first ARM task once it has written a checkpoint, before it finishes
        int task = 2;
        String armRun = job.runs().get(task);
        assertThat(armRun).startsWith("ARM_S=200_s0-");
        Path ck = cluster.resolve(armRun).resolve("checkpoints");
        waitFor(
                () -> exists(ck) && !RunFolder.done(cluster.resolve(armRun)),
                600,
                "a checkpoint of " + armRun);
        System.out.println("== squeue before scancel\n" + sh("squeue", "-r"));
        sh("scancel", job.id() + "_" + task);
        waitFor(
                () ->
                        !sh("squeue", "-h", "-r", "-o", "%i")
                                .lines()
                                .toList()
                                .contains(job.id() + "_" + task),
                120,
                "squeue to drop " + job.id() + "_" + task);
        assertThat(RunFolder.done(cluster.resolve(armRun)))
                .as("cancelled before the end")
                .isFalse();
        CliRuns.Outcome st =
                CliRuns.run(
                        MethodFactory.PUBLISHED,
                        List.of("sweep", "--status", file.toString(), "--out", cluster.toString()));
        System.out.println("== arm sweep --status after scancel\n" + st.out());
        assertThat(st.out()).containsPattern("failed +" + Pattern.quote(armRun));

        // resubmitting submits what is unfinished and not queued: the cancelled run only
        CliRuns.Outcome again =
                CliRuns.run(
                        MethodFactory.PUBLISHED,
                        List.of(
                                "sweep",
                                file.toString(),
                                "--out",
                                cluster.toString(),
                                "--executor",
                                "slurm"));
        assertThat(again.code()).as(again.out() + again.err()).isZero();
        Slurm.Job second = Slurm.jobs(root).get(1);
        assertThat(second.runs()).containsExactly(armRun);
        waitFor(
                () ->
                        sh("squeue", "-h", "-r", "-o", "%i")
                                .lines()
                                .noneMatch(
                                        x ->
                                                x.startsWith(job.id() + "_")
                                                        || x.startsWith(second.id() + "_")),
                900,
                "the jobs to finish");
        CliRuns.Outcome done =
                CliRuns.run(
                        MethodFactory.PUBLISHED,
                        List.of("sweep", "--status", file.toString(), "--out", cluster.toString()));
        System.out.println("== arm sweep --status at the end\n" + done.out());
        assertThat(done.out()).contains("4 done, 0 running, 0 failed, 0 pending (of 4)");
        String resumed = Files.readString(cluster.resolve(armRun).resolve("results.json"));
        assertThat(resumed)
                .as("the resubmitted run continued from its checkpoint")
                .contains("\"resumed\"");

        CliRuns.Outcome r =
                CliRuns.run(MethodFactory.PUBLISHED, List.of("report", cluster.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        System.out.println("== arm report " + cluster + "\n" + r.out());
        assertThat(SweepCliTest.rows(r.out())).hasSize(2).isEqualTo(SweepCliTest.rows(l.out()));
        assertThat(numbers(cluster.resolve("report/runs.csv")))
                .isEqualTo(numbers(local.resolve("report/runs.csv")));
    }

    /** runs.csv without the wall time and folder columns. */
    private static List<String> numbers(Path csv) throws IOException {
        return Files.readAllLines(csv).stream()
                .map(l -> String.join(",", List.of(l.split(",")).subList(0, 6)))
                .toList();
    }

    private static boolean exists(Path dir) {
        try (var s = Files.list(dir)) {
            return s.anyMatch(p -> p.toString().endsWith(".safetensors"));
        } catch (IOException e) {
            return false;
        }
    }

    /** Null when sinfo shows an idle or busy node, else why not. */
    private static String clusterProblem() {
        String out = sh("sinfo", "-h", "-o", "%t");
        if (out.startsWith("!"))
            return "no Slurm cluster ("
                    + out.substring(1).strip()
                    + "); scripts/slurm-cluster.sh start makes one";
        if (!out.matches("(?s)\\s*(idle|mix|alloc).*"))
            return "the Slurm node is not up: " + out.strip();
        return null;
    }

    private static void waitFor(BooleanSupplier ok, int seconds, String what)
            throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > end)
                throw new AssertionError(
                        "waited " + seconds + " s for " + what + "\n" + sh("squeue", "-r"));
            Thread.sleep(200);
        }
    }

    /** A command's output, or "!" and the reason when it could not run or failed. */
    private static String sh(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor() == 0 ? out : "!" + String.join(" ", cmd) + ": " + out;
        } catch (IOException e) {
            return "!" + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "!interrupted";
        }
    }
}

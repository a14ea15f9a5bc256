package arm.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlurmTest {

    @Test
    void jobArrayScript() {
        SweepRoot root = new SweepRoot(Path.of("/scratch/t6"));
        Map<String, String> s =
                new LinkedHashMap<>(
                        Map.of(
                                "partition",
                                "gpu",
                                "time",
                                "01:00:00",
                                "mem",
                                "4G",
                                "cpusPerTask",
                                "2",
                                "gpusPerTask",
                                "1",
                                "maxParallel",
                                "8"));
        String text =
                Slurm.script(
                        "table 6",
                        root,
                        List.of("ARM_s0-aaaaaaaa", "ARM_s1-bbbbbbbb"),
                        s,
                        List.of("/opt/jdk/bin/java", "-Xmx2g", "-cp", "/x/arm.jar", "arm.cli.Main"),
                        "/data/mnist");
        assertThat(text)
                .isEqualTo(
                        """
                        #!/bin/bash
                        #SBATCH --job-name=arm-table-6
                        #SBATCH --array=0-1%8
                        #SBATCH --output=/scratch/t6/slurm/%A_%a.out
                        #SBATCH --partition=gpu
                        #SBATCH --time=01:00:00
                        #SBATCH --mem=4G
                        #SBATCH --cpus-per-task=2
                        #SBATCH --gpus-per-task=1
                        # One run of /scratch/t6/experiment.yaml per array task, into its own folder
                        # under /scratch/t6; a run whose folder holds a checkpoint continues from it.
                        # ARM_JAVA=/path/to/java overrides the JVM (the JDK must be 17 or newer).
                        set -euo pipefail
                        RUNS=(
                          ARM_s0-aaaaaaaa
                          ARM_s1-bbbbbbbb
                        )
                        exec "${ARM_JAVA:-/opt/jdk/bin/java}" \\
                          '-Xmx2g' \\
                          '-cp' \\
                          '/x/arm.jar' \\
                          'arm.cli.Main' \\
                          run-one \\
                          '/scratch/t6/experiment.yaml' \\
                          --out \\
                          '/scratch/t6' \\
                          --data \\
                          '/data/mnist' \\
                          --run "${RUNS[$SLURM_ARRAY_TASK_ID]}"
                        """);
    }

    @Test
    void withoutSettingsOnlyTheArrayAndOneCpu() {
        String text =
                Slurm.script(
                        "",
                        new SweepRoot(Path.of("/r")),
                        List.of("a"),
                        Map.of(),
                        List.of("java", "M"),
                        null);
        assertThat(text.lines().filter(l -> l.startsWith("#SBATCH")).toList())
                .containsExactly(
                        "#SBATCH --job-name=arm-sweep",
                        "#SBATCH --array=0-0",
                        "#SBATCH --output=/r/slurm/%A_%a.out",
                        "#SBATCH --cpus-per-task=1");
    }

    @Test
    void theTasksHeapFollowsItsMemory() {
        assertThat(Launch.megabytes("2G")).isEqualTo(2048);
        assertThat(Launch.megabytes("1500")).isEqualTo(1500);
        assertThat(Launch.megabytes("4096M")).isEqualTo(4096);
        assertThat(Launch.megabytes("lots")).isNull();
        List<String> cmd = Launch.javaCommand("cifar10", "8G");
        assertThat(cmd).contains("-Xmx6144m", "-XX:NewRatio=1").doesNotContain("-Xmn256m");
        assertThat(cmd.stream().filter(a -> a.startsWith("-Xmx"))).hasSize(1);
        assertThat(Launch.javaCommand("mnist", null)).contains("-Xmn256m").endsWith("arm.cli.Main");
        // ResNets trained by plain methods only: 1 GB when the heap has 4 GB, as arm.sh gives them
        assertThat(Launch.javaCommand("cifar10", List.of("Naive", "Distill", "ER-50"), "8G"))
                .contains("-Xmn1g")
                .doesNotContain("-XX:NewRatio=1");
        assertThat(Launch.javaCommand("cifar10", List.of("Naive", "ARM"), "8G"))
                .contains("-XX:NewRatio=1")
                .doesNotContain("-Xmn1g");
        assertThat(Launch.javaCommand("cifar10", List.of("ER-MIR"), "8G"))
                .contains("-XX:NewRatio=1");
        assertThat(Launch.javaCommand("cifar10", List.of("Naive"), "2G"))
                .contains("-XX:NewRatio=1", "-Xmx1536m");
    }

    @Test
    void squeueLinesMapToRuns() {
        List<Slurm.Job> jobs =
                List.of(
                        new Slurm.Job("12", "a.sh", List.of("r0", "r1", "r2")),
                        new Slurm.Job("15", "b.sh", List.of("r1")));
        List<Slurm.Task> t =
                Slurm.tasks(
                        jobs,
                        List.of(
                                "12_0|RUNNING",
                                "12_2|PENDING",
                                "13_0|RUNNING",
                                "15_0|RUNNING",
                                "garbage"));
        assertThat(t)
                .containsExactly(
                        new Slurm.Task("12_0", "RUNNING", "r0"),
                        new Slurm.Task("12_2", "PENDING", "r2"),
                        new Slurm.Task("15_0", "RUNNING", "r1"));
    }
}

package arm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import arm.data.IdxFiles;
import arm.method.Methods;
import arm.sweep.ExperimentFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code arm generate} and {@code arm reproduce … --table N}: what they accept and refuse. */
class GenerateCliTest {
    @TempDir Path tmp;

    static CliRuns.Outcome refused(List<String> args, String what) {
        return HardeningCliTest.refused(args, what);
    }

    @Test
    void badGeneratorArgumentsAreOneLineErrors() throws IOException {
        String out = tmp.resolve("g").toString();
        refused(List.of("generate", "cifar10"), "--out");
        refused(List.of("generate", "svhn", "--out", out), "svhn");
        refused(List.of("generate", "cifar10", "--out", out, "--source", "nois"), "--source");
        refused(
                List.of("generate", "cifar10", "--out", out, "--per-class", "20"),
                "nearest that work: 22");
        refused(
                List.of("generate", "cifar10", "--out", out, "--per-class", "6000"),
                "--per-class must be 1 … 5000");
        refused(
                List.of("generate", "cifar10", "--out", out, "--test-per-class", "0"),
                "--test-per-class must be 1");
        refused(
                List.of("generate", "miniimagenet", "--out", out, "--per-class", "30"),
                "nearest that work: 24 or 48");
        refused(
                List.of("generate", "miniimagenet", "--out", out, "--format", "python"),
                "--format is for cifar10 only");
        refused(
                List.of("generate", "miniimagenet", "--out", out, "--test-per-class", "5"),
                "--test-per-class is for cifar10 only");
        refused(
                List.of(
                        "generate",
                        "cifar10",
                        "--out",
                        out,
                        "--mnist",
                        tmp.resolve("no").toString()),
                "MNIST");
        refused(
                List.of(
                        "generate",
                        "cifar10",
                        "--out",
                        out,
                        "--source",
                        "noise",
                        "--mnist",
                        tmp.toString()),
                "--mnist is for --source mnist only");
        Path full = Files.createDirectories(tmp.resolve("full"));
        Files.writeString(full.resolve("x"), "x");
        refused(
                List.of("generate", "cifar10", "--out", full.toString(), "--source", "noise"),
                "not an empty folder");
        try (var s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("full");
        }
    }

    @Test
    void aGeneratedDatasetIsWhatReproduceReads() throws IOException {
        Path mnist = tmp.resolve("mnist");
        int[] train = new int[10], test = new int[10];
        Arrays.fill(train, 3);
        Arrays.fill(test, 2);
        IdxFiles.writeMnist(mnist, train, test, false);
        Path out = tmp.resolve("cifar");
        CliRuns.Outcome o =
                CliRuns.run(
                        Methods::create,
                        List.of(
                                "generate",
                                "cifar10",
                                "--out",
                                out.toString(),
                                "--mnist",
                                mnist.toString(),
                                "--per-class",
                                "22",
                                "--format",
                                "python"));
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out())
                .contains("reads it as CIFAR10-5: 200 train, 10 val, 40 test images")
                .contains("reproduce cifar10 --data " + out);
        assertThat(out.resolve("cifar-10-batches-bin")).doesNotExist();
        // the data check of reproduce --table 7 reads it (and a dry run lists the rows)
        CliRuns.Outcome t =
                CliRuns.run(
                        Methods::create,
                        List.of(
                                "reproduce",
                                "cifar10",
                                "--table",
                                "7",
                                "--runs",
                                "1",
                                "--data",
                                out.toString(),
                                "--dry-run"));
        assertThat(t.code()).as(t.err()).isZero();
    }

    @Test
    void table7ListsThePapersAblationRows() {
        CliRuns.Outcome o =
                CliRuns.run(
                        Methods::create,
                        List.of(
                                "reproduce",
                                "cifar10",
                                "--table",
                                "7",
                                "--runs",
                                "2",
                                "--seed0",
                                "3",
                                "-o",
                                "ARM:dedup=on",
                                "-o",
                                "ARM:M=20",
                                "--out",
                                tmp.resolve("t7").toString(),
                                "--dry-run"));
        assertThat(o.code()).as(o.err()).isZero();
        List<String> rows = new ArrayList<>();
        for (ExperimentFile.Variant v : ExperimentFile.load("table7").variants())
            rows.add("ARM " + v.name());
        assertThat(rows)
                .hasSize(14)
                .contains(
                        "ARM λ1=0 λ2=0",
                        "ARM λ3=0",
                        "ARM λ4=0",
                        "ARM λ5=0",
                        "ARM λ6=0",
                        "ARM M=150",
                        "ARM M=50",
                        "ARM S=20",
                        "ARM S=5",
                        "ARM D=cross-entropy",
                        "ARM noise init",
                        "ARM recall 2x",
                        "ARM recall 4x");
        List<String> lines = o.out().lines().skip(1).toList();
        assertThat(o.out().lines().findFirst().orElseThrow())
                .contains("14 rows × 2 run(s) = 28 runs");
        for (int i = 0; i < 28; i++) {
            String line = lines.get(i);
            assertThat(line.strip()).startsWith(rows.get(i / 2));
            assertThat(line).contains("seed " + (3 + i % 2)).contains("dedup=on");
        }
        // -o applies to every row; a row's own setting of the same key wins
        assertThat(lines.get(0)).contains("M=20");
        assertThat(lines.stream().filter(l -> l.contains("ARM M=150")).findFirst().orElseThrow())
                .contains("M=150")
                .doesNotContain("M=20");
        assertThat(tmp.resolve("t7")).doesNotExist(); // a dry run writes nothing
    }

    @Test
    void tableArgumentsAreChecked() {
        String data = tmp.resolve("none").toString();
        refused(List.of("reproduce", "cifar10", "--table", "5"), "not a table of cifar10");
        refused(List.of("reproduce", "mnist", "--table", "7"), "not a table of mnist");
        refused(
                List.of("reproduce", "cifar10", "--table", "7", "--methods", "ARM"),
                "--methods cannot go with --table 7");
        refused(
                List.of("reproduce", "cifar10", "--table", "7", "--runs", "0"),
                "--runs must be at least 1");
        refused(List.of("reproduce", "cifar10", "--table", "7", "-o", "ARM:nosuch=1"), "nosuch");
        refused(List.of("reproduce", "cifar10", "--table", "7", "--data", data), "does not exist");
        refused(List.of("reproduce", "mnist", "--dry-run"), "--dry-run goes with --table 7");
        assertThat(PaperTable.file(Benchmark.cifar10, 1)).isNull();
        assertThat(PaperTable.file(Benchmark.mnist, 6)).isNull();
        assertThat(PaperTable.file(Benchmark.miniimagenet, 5)).isNull();
        assertThat(PaperTable.file(Benchmark.cifar10, 7)).isEqualTo("table7");
    }
}

package arm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import arm.data.IdxFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI end to end with {@link FakeMethod} on a synthetic MNIST folder (560 images per class).
 */
class MainTest {
    @TempDir static Path shared;
    @TempDir Path tmp;
    static Path data;

    @BeforeAll
    static void writeData() throws Exception {
        data = IdxFiles.writeSmallMnist(shared);
    }

    record Outcome(int code, String out, String err) {}

    static Outcome run(MethodFactory factory, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code =
                Main.run(
                        args,
                        factory,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(
                code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Outcome run(String... args) {
        return run(FakeMethod::create, args);
    }

    String[] args(String... more) {
        List<String> a = new ArrayList<>(List.of(more));
        a.addAll(
                List.of(
                        "--data",
                        data.toString(),
                        "--out",
                        tmp.resolve("out").toString(),
                        "--threads",
                        "2"));
        return a.toArray(String[]::new);
    }

    @Test
    void reproduceWritesTableJsonAndCsv() throws Exception {
        Outcome o =
                run(
                        args(
                                "reproduce",
                                "mnist",
                                "--methods",
                                "Naive,Stationary,ARM",
                                "--runs",
                                "2",
                                "--rng",
                                "ours"));
        assertThat(o.code()).as(o.err()).isZero();
        // configuration echo and table
        assertThat(o.out())
                .contains("train 5000 / val 280 / test 30", "seeds [0, 1]", "threads  2");
        assertThat(o.out())
                .contains("| ARM ", "58.4 ± 0.4", "39.5 ± 0.5", "56.3 ± 2.6 / 21.8 ± 1.6");
        assertThat(o.out()).contains("87.1 ± 0.6 / –");
        JsonNode root = new ObjectMapper().readTree(tmp.resolve("out/results.json").toFile());
        JsonNode summary = root.get("summary");
        assertThat(summary).hasSize(3);
        assertThat(summary.get(0).get("method").asText()).isEqualTo("Naive");
        JsonNode arm = summary.get(2);
        assertThat(arm.get("method").asText()).isEqualTo("ARM");
        assertThat(arm.get("accuracy").get("mean").asDouble()).isCloseTo(58.4, within(1e-9));
        assertThat(arm.get("accuracy").get("std").asDouble()).isCloseTo(0.4, within(1e-9));
        assertThat(arm.get("forgetting").get("mean").asDouble()).isCloseTo(39.5, within(1e-9));
        assertThat(arm.get("forgetting").get("std").asDouble()).isCloseTo(0.5, within(1e-9));
        assertThat(arm.get("secondsPerRun").asDouble()).isPositive();
        assertThat(summary.get(1).get("forgetting").isNull()).isTrue(); // stationary
        assertThat(summary.get(1).get("accuracy").get("mean").asDouble())
                .isCloseTo(58.4, within(1e-9));
        // per-run histories
        JsonNode runs = root.get("runs");
        assertThat(runs).hasSize(6);
        JsonNode r = runs.get(4); // ARM run 0
        assertThat(r.get("method").asText()).isEqualTo("ARM");
        assertThat(r.get("seed").asLong()).isZero();
        assertThat(r.get("test").get("t").toString()).isEqualTo("[0,100,200,300,400,500]");
        assertThat(r.get("test").get("perTaskAccuracy").get(0).get(0).isNull()).isTrue();
        assertThat(r.get("test").get("perTaskAccuracy").get(5).get(4).asDouble())
                .isCloseTo(0.9, within(1e-9));
        assertThat(r.get("val").get("accuracy").asDouble()).isCloseTo(0.53, within(1e-9));
        assertThat(r.get("test").get("forgetting").asDouble()).isCloseTo(0.4, within(1e-9));
        assertThat(root.get("config").get("valSplit").asText()).isEqualTo("advanced");
        assertThat(root.get("environment").get("jdk").asText())
                .isEqualTo(Runtime.version().toString());
        assertThat(root.get("environment").get("engine").asText()).isNotBlank();
        assertThat(root.get("failures")).isEmpty();
        List<String> csv = Files.readAllLines(tmp.resolve("out/runs.csv"));
        assertThat(csv).hasSize(7);
        assertThat(csv.get(0)).startsWith("method,run,seed,test_accuracy_pct");
        assertThat(csv.get(5)).startsWith("ARM,0,0,58.0000,40.0000,");
        assertThat(Files.readAllLines(tmp.resolve("out/summary.csv"))).hasSize(4);
    }

    @Test
    void aFailedRunKeepsTheOthersAndExitsOne() throws Exception {
        Outcome o =
                run(
                        args(
                                "reproduce",
                                "mnist",
                                "--methods",
                                "Naive",
                                "--runs",
                                "3",
                                "-o",
                                "failSeed=1",
                                "--rng",
                                "ours"));
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.err())
                .contains("Naive      run 1 (seed 1) FAILED", "scripted failure")
                .contains(
                        "arm: Naive run 1 (seed 1) failed: IllegalStateException: scripted failure"
                                + " for seed 1\n");
        JsonNode root = new ObjectMapper().readTree(tmp.resolve("out/results.json").toFile());
        assertThat(root.get("runs")).hasSize(2);
        assertThat(root.get("failures")).hasSize(1);
        assertThat(root.get("summary").get(0).get("runs").asInt()).isEqualTo(2);
    }

    @Test
    void missingDataSaysHowToFetch() {
        Outcome o =
                run(
                        "reproduce",
                        "mnist",
                        "--data",
                        tmp.resolve("nothing").toString(),
                        "--out",
                        tmp.toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err())
                .contains("does not exist", "scripts/fetch-mnist.sh", "./arm.sh fetch mnist");
        assertThat(o.err().lines().count()).isEqualTo(1);
    }

    @Test
    void corruptFileIsNamed() throws Exception {
        Path bad = tmp.resolve("bad");
        for (String f :
                new String[] {
                    "train-images-idx3-ubyte.gz",
                    "train-labels-idx1-ubyte.gz",
                    "t10k-images-idx3-ubyte.gz",
                    "t10k-labels-idx1-ubyte.gz"
                }) Files.copy(data.resolve(f), Files.createDirectories(bad).resolve(f));
        byte[] b = Files.readAllBytes(bad.resolve("t10k-images-idx3-ubyte.gz"));
        Files.write(bad.resolve("t10k-images-idx3-ubyte.gz"), Arrays.copyOf(b, b.length - 20));
        Outcome o = run("reproduce", "mnist", "--data", bad.toString(), "--out", tmp.toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err()).contains("t10k-images-idx3-ubyte.gz");
    }

    /**
     * A command line that starts with a subcommand's name builds only that subcommand (start-up
     * time); help, usage, errors and exit codes are those of the whole command tree.
     */
    @Test
    void oneSubcommandOrTheWholeTreeSayTheSame() {
        String nowhere = tmp.resolve("nowhere").toString();
        List<String[]> lines =
                List.of(
                        new String[] {},
                        new String[] {"--help"},
                        new String[] {"-h"},
                        new String[] {"--version"},
                        new String[] {"--bogus"},
                        new String[] {"trian"},
                        new String[] {"help"},
                        new String[] {"--help", "train"},
                        new String[] {"train", "--help"},
                        new String[] {"train", "-h"},
                        new String[] {"train", "--version"},
                        new String[] {"train", "--method"},
                        new String[] {"train", "reproduce"},
                        new String[] {"train", "--method", "ARM", "plot", "x"},
                        new String[] {"train", "--method", "SGD", "--data", nowhere},
                        new String[] {
                            "train", "--method", "ARM", "--bogus", "1", "--data", nowhere
                        },
                        new String[] {"train", "--method", "ARM", "--runs", "x"},
                        new String[] {"train", "--method", "ARM", "--dataset", "cifar"},
                        new String[] {"reproduce"},
                        new String[] {"reproduce", "--help"},
                        new String[] {"reproduce", "cifar"},
                        new String[] {"reproduce", "mnist", "train"},
                        new String[] {"reproduce", "mnist", "--runs", "0"},
                        new String[] {"reproduce", "mnist", "--methods", "Naive,SGD"},
                        new String[] {"plot"},
                        new String[] {"plot", "--help"},
                        new String[] {"plot", nowhere},
                        new String[] {"methods"},
                        new String[] {"methods", "ARM"},
                        new String[] {"methods", "SGD"},
                        new String[] {"experiment"},
                        new String[] {"experiment", "--help"},
                        new String[] {"experiment", "show", "nosuch"},
                        new String[] {"run-one"},
                        new String[] {"run-one", "--help"},
                        new String[] {"sweep", "--help"},
                        new String[] {"sweep", nowhere},
                        new String[] {"report", "--help"},
                        new String[] {"report"},
                        new String[] {"generate"},
                        new String[] {"generate", "--help"},
                        new String[] {"generate", "svhn", "--out", nowhere});
        for (String[] a : lines) {
            Outcome one = outcome(a, false), all = outcome(a, true);
            assertThat(one).as(String.join(" ", a)).isEqualTo(all);
        }
    }

    private static Outcome outcome(String[] args, boolean all) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code =
                Main.run(
                        args,
                        FakeMethod::create,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        all);
        return new Outcome(
                code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void unknownMethodOrOptionAndBadValuesExitTwo() {
        assertThat(run(args("reproduce", "mnist", "--methods", "Naive,SGD")))
                .satisfies(
                        o -> {
                            assertThat(o.code()).isEqualTo(2);
                            assertThat(o.err())
                                    .contains(
                                            "unknown method 'SGD'",
                                            "Naive, Stationary, Distill, ADI, ARM");
                        });
        assertThat(run(args("train", "--method", "ARM", "--bogus", "1")))
                .satisfies(
                        o -> {
                            assertThat(o.code()).isEqualTo(2);
                            assertThat(o.err())
                                    .isEqualTo(
                                            "arm: ARM: unknown option 'bogus'"
                                                    + System.lineSeparator());
                        });
        assertThat(run(args("train", "--method", "ARM", "--M", "0")).err())
                .contains("M must be positive");
        assertThat(run(args("train", "--method", "ARM", "--lr=-0.1")).code()).isEqualTo(2);
        assertThat(run(args("reproduce", "mnist", "--runs", "0")).code()).isEqualTo(2);
        assertThat(run(args("reproduce", "mnist", "-o", "ARM:M=-3")).err())
                .contains("ARM: M must be positive");
        assertThat(run(args("reproduce", "mnist", "--methods", "Naive", "-o", "ARM:M=3")).err())
                .contains("not selected");
        assertThat(run(args("reproduce", "cifar")).code()).isEqualTo(2);
        assertThat(run().code()).isEqualTo(2);
    }

    @Test
    void trainPassesEveryUnknownOptionToTheMethod() {
        List<Map<String, String>> seen = new ArrayList<>();
        MethodFactory spy =
                (name, opts) -> {
                    seen.add(opts);
                    return FakeMethod.create(name, opts);
                };
        Outcome o =
                run(
                        spy,
                        args(
                                "train",
                                "--method",
                                "arm",
                                "--M",
                                "20",
                                "--lr=0.05",
                                "-o",
                                "failSeed=9"));
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(seen).containsExactly(Map.of("M", "20", "lr", "0.05", "failSeed", "9"));
        assertThat(o.out()).contains("| ARM ");
    }

    @Test
    void methodOptionParsing() {
        assertThat(TrainCommand.methodOptions(List.of("--a", "1", "--b=2", "--flag", "--c", "-3")))
                .containsExactly(
                        Map.entry("a", "1"),
                        Map.entry("b", "2"),
                        Map.entry("flag", "true"),
                        Map.entry("c", "-3"));
    }
}

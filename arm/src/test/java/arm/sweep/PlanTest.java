package arm.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import arm.method.Methods;
import arm.run.Defaults;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlanTest {

    private static List<RunSpec> expand(String yaml) {
        return Plan.expand(ExperimentFile.parse(yaml, true, "test.yaml"));
    }

    @Test
    void gridMultipliesOnlyTheMethodsItNames() {
        List<RunSpec> runs =
                expand(
                        """
                        benchmark: mnist
                        methods: [Naive, ARM]
                        runs: 2
                        grid: {ARM.M: [50, 100, 150]}
                        """);
        assertThat(runs).hasSize(2 + 3 * 2);
        assertThat(runs.stream().map(RunSpec::row).distinct().toList())
                .containsExactly("Naive", "ARM M=50", "ARM M=100", "ARM M=150");
        assertThat(runs.get(2).overrides()).isEqualTo(Map.of("M", "50"));
        assertThat(runs.get(0).overrides()).isEmpty();
        assertThat(runs.stream().map(RunSpec::seed).toList())
                .containsExactly(0L, 1L, 0L, 1L, 0L, 1L, 0L, 1L);
        assertThat(runs.stream().map(RunSpec::id).distinct()).hasSize(runs.size());
    }

    @Test
    void twoKeysGiveEveryCombinationAndBareKeysReachEveryMethod() {
        List<RunSpec> runs =
                expand(
                        """
                        benchmark: mnist
                        methods: [ARM, Naive]
                        runs: 1
                        options: {mlp_hidden: 32}
                        grid: {ARM.S: [5, 10], lr: [0.1, 0.2]}
                        """);
        assertThat(runs.stream().map(RunSpec::row).toList())
                .containsExactly(
                        "ARM S=5 lr=0.1",
                        "ARM S=5 lr=0.2",
                        "ARM S=10 lr=0.1",
                        "ARM S=10 lr=0.2",
                        "Naive lr=0.1",
                        "Naive lr=0.2");
        assertThat(runs.get(0).overrides())
                .isEqualTo(Map.of("S", "5", "lr", "0.1", "mlp_hidden", "32"));
    }

    @Test
    void idsAreStableReadableAndDependOnTheSettingsOnly() {
        String a =
                """
                name: one
                benchmark: mnist
                methods: [ARM]
                runs: 1
                options: {ARM.M: 20, ARM.S: 5}
                """;
        String b =
                """
                {"name": "another", "title": "same runs", "benchmark": "mnist", "methods": ["arm"], "runs": 1,
                 "options": {"ARM.S": 5, "ARM.M": "20"}, "gradientSamples": 0}
                """;
        String id = expand(a).get(0).id();
        assertThat(id).matches("ARM_M=20_S=5_s0-[0-9a-f]{8}");
        assertThat(Plan.expand(ExperimentFile.parse(b, false, "b.json")).get(0).id()).isEqualTo(id);
        assertThat(expand(a.replace("runs: 1", "runs: 1\nseed0: 1")).get(0).id())
                .isNotEqualTo(id)
                .startsWith("ARM_M=20_S=5_s1-");
        assertThat(expand(a + "samplesPerClass: 50\n").get(0).id()).isNotEqualTo(id);
        // fixed values: ids name the folders of sweeps already run
        assertThat(Plan.expand(ExperimentFile.load("table6")).stream().map(RunSpec::id).toList())
                .contains("ARM_s6579-453f1edc", "ER-50_s0-6a61ff19", "Naive_s4967-d201f135");
    }

    @Test
    void variantsAreRowsAndCarryThePapersNumbers() {
        List<RunSpec> runs = Plan.expand(ExperimentFile.load("table7"));
        assertThat(runs).hasSize(14 * 5);
        assertThat(runs.get(0).row()).isEqualTo("ARM baseline");
        RunSpec l3 =
                runs.stream().filter(r -> r.row().equals("ARM λ3=0")).findFirst().orElseThrow();
        assertThat(l3.overrides()).isEqualTo(Map.of("lambda3", "0"));
        assertThat(l3.paper()).containsExactly(15.3, 1.3, 4.17, 0.9);
        assertThat(l3.benchmark()).isEqualTo("cifar10");
        Plan.validate(runs);
    }

    /**
     * The built-in mnist (= table6) file runs what `arm reproduce mnist` runs: same rows, seeds,
     * streams.
     */
    @Test
    void builtInMnistIsWhatReproduceMnistRuns() {
        List<RunSpec> runs = Plan.expand(ExperimentFile.load("mnist"));
        List<String> expected = new ArrayList<>();
        for (String row : Methods.tableRows(Methods.paper("mnist"), "mnist")) {
            Long first = Defaults.authorsFirstRunId(Methods.canonical(row), "mnist");
            for (int r = 0; r < 5; r++)
                expected.add(
                        Methods.canonical(row)
                                + " "
                                + (first != null ? first + r : r)
                                + " "
                                + (first != null ? "authors" : "ours"));
        }
        assertThat(runs.stream().map(r -> r.row() + " " + r.seed() + " " + r.rng()).toList())
                .isEqualTo(expected);
        assertThat(runs)
                .allMatch(
                        r ->
                                r.overrides().isEmpty()
                                        && r.samplesPerClass() == null
                                        && r.figures()
                                        && r.gradientSamples() == 1000
                                        && r.stream() == null
                                        && r.valSplit() == null
                                        && r.device() == null);
        assertThat(Plan.expand(ExperimentFile.load("table6")).stream().map(RunSpec::id).toList())
                .isEqualTo(runs.stream().map(RunSpec::id).toList());
        assertThat(runs.get(0).trainArgs(Path.of("/o/x"), null))
                .containsExactly(
                        "train",
                        "--method",
                        "Naive",
                        "--dataset",
                        "mnist",
                        "--runs",
                        "1",
                        "--seed0",
                        "4967",
                        "--rng",
                        "authors",
                        "--threads",
                        "1",
                        "--out",
                        "/o/x",
                        "--gradient-samples",
                        "1000");
        assertThat(runs.get(1).trainArgs(Path.of("/o/x"), null))
                .contains("--gradient-samples", "0");
    }

    @Test
    void everyBuiltInFileParsesAndValidates() {
        for (String n : ExperimentFile.BUILT_IN) Plan.validate(Plan.expand(ExperimentFile.load(n)));
    }

    @Test
    void badInputIsOneLineNamingTheFileAndField() {
        assertThatThrownBy(() -> expand("methods: [ARM]\n"))
                .hasMessage("test.yaml: benchmark: missing (mnist, cifar10 or miniimagenet)");
        assertThatThrownBy(() -> expand("benchmark: mnist\nrunz: 3\n"))
                .hasMessageStartingWith("test.yaml: runz: unknown field");
        assertThatThrownBy(() -> expand("benchmark: mnist\nruns: 0\n"))
                .hasMessage("test.yaml: runs: must be at least 1, got 0");
        assertThatThrownBy(
                        () -> expand("benchmark: mnist\nmethods: [ARM]\ngrid: {ADI.M: [1, 2]}\n"))
                .hasMessage("grid.ADI.M: ADI is not among the methods");
        assertThatThrownBy(() -> expand("benchmark: mnist\nmethods: [Foo]\n"))
                .hasMessageStartingWith("methods: unknown method 'Foo'");
        assertThatThrownBy(() -> expand("benchmark: cifar10\nrng: authors\n"))
                .hasMessageContaining("rng: authors replays");
        assertThatThrownBy(() -> expand("benchmark: mnist\nmethods: [ARM]\n  bad: [\n"))
                .hasMessageStartingWith("test.yaml: not valid YAML");
        assertThatThrownBy(
                        () ->
                                Plan.validate(
                                        expand(
                                                "benchmark: mnist\n"
                                                        + "methods: [ARM]\n"
                                                        + "options: {ARM.M: -1}\n")))
                .hasMessageStartingWith("ARM: ")
                .hasMessageContaining("M");
        assertThatThrownBy(() -> ExperimentFile.load("no-such-file.yaml"))
                .hasMessageStartingWith("no experiment file no-such-file.yaml");
    }
}

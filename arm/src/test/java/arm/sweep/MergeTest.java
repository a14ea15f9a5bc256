package arm.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MergeTest {
    @TempDir Path tmp;

    /** A results folder with one finished run of {@code method} on {@code seed}. */
    static Path folder(
            Path dir, String method, long seed, double acc, String options, String provenance)
            throws IOException {
        Files.createDirectories(dir);
        Files.writeString(
                dir.resolve("results.json"),
                """
                {%s"summary": [],
                 "config": {"command": "train", "benchmark": "mnist", "dataset": "MNIST-5k-5", "tasks": 5, "iterations": 50,
                            "options": {"%s": %s}},
                 "runs": [{"method": "%s", "run": 0, "seed": %d, "stationary": false,
                           "test": {"accuracy": %s, "forgetting": 0.25}, "val": {"accuracy": 0.5}, "seconds": {"wall": 1.5}}],
                 "failures": []}
                """
                        .formatted(
                                provenance == null ? "" : "\"provenance\": " + provenance + ",",
                                method,
                                options,
                                method,
                                seed,
                                acc));
        return dir;
    }

    static final String V1 = "{\"version\": \"0.1.0\", \"commit\": \"aaaa\"}",
            V2 = "{\"version\": \"0.1.0\", \"commit\": \"bbbb\"}";

    @Test
    void mergesRowsSortedBySeed() throws IOException {
        Path a = folder(tmp.resolve("a"), "ARM", 1, 0.6, "{\"M\": \"10\"}", V1);
        Path b = folder(tmp.resolve("b"), "ARM", 0, 0.4, "{\"M\": \"10\"}", V1);
        Path c = folder(tmp.resolve("c"), "Naive", 0, 0.2, "{}", null);
        Merge.Result m = Merge.merge(List.of(tmp), false);
        assertThat(m.rows().keySet()).containsExactly("ARM", "Naive");
        assertThat(m.rows().get("ARM").stream().map(Merge.Run::seed).toList())
                .containsExactly(0L, 1L);
        assertThat(m.versions()).containsExactly("0.1.0 (aaaa)", "unknown");
        assertThat(m.warnings()).singleElement().asString().contains("no code version");
        assertThat(m.folders()).containsExactly(a, b, c);
    }

    @Test
    void refusesDifferentCodeVersionsUnlessAllowed() throws IOException {
        folder(tmp.resolve("a"), "ARM", 0, 0.6, "{}", V1);
        folder(tmp.resolve("b"), "ARM", 1, 0.4, "{}", V2);
        assertThatThrownBy(() -> Merge.merge(List.of(tmp.resolve("a"), tmp.resolve("b")), false))
                .isInstanceOf(SweepError.class)
                .hasMessage(
                        "will not merge: the folders come from different code versions: 0.1.0"
                                + " (aaaa), 0.1.0 (bbbb); --allow-mixed merges anyway");
        Merge.Result m = Merge.merge(List.of(tmp.resolve("a"), tmp.resolve("b")), true);
        assertThat(m.rows().get("ARM")).hasSize(2);
        assertThat(m.warnings()).singleElement().asString().contains("different code versions");
    }

    @Test
    void refusesOtherOptionsForTheSameRowAndDuplicateSeeds() throws IOException {
        folder(tmp.resolve("x/a"), "ARM", 0, 0.6, "{\"M\": \"10\"}", null);
        folder(tmp.resolve("x/b"), "ARM", 1, 0.4, "{\"M\": \"20\"}", null);
        assertThatThrownBy(() -> Merge.merge(List.of(tmp.resolve("x")), false))
                .hasMessageContaining("row ARM: ")
                .hasMessageContaining("M 10 vs 20");
        folder(tmp.resolve("y/a"), "ARM", 0, 0.6, "{}", null);
        folder(tmp.resolve("y/b"), "ARM", 0, 0.6, "{}", null);
        assertThatThrownBy(() -> Merge.merge(List.of(tmp.resolve("y")), false))
                .hasMessageContaining("row ARM seed 0 is in two folders");
    }

    @Test
    void refusesAnotherProtocol() throws IOException {
        folder(tmp.resolve("a"), "ARM", 0, 0.6, "{}", null);
        Path b = folder(tmp.resolve("b"), "ARM", 1, 0.4, "{}", null);
        Files.writeString(
                b.resolve("results.json"),
                Files.readString(b.resolve("results.json"))
                        .replace("\"iterations\": 50", "\"iterations\": 500"));
        assertThatThrownBy(() -> Merge.merge(List.of(tmp), false))
                .hasMessageContaining("differ in config.iterations (500 vs 50)");
    }

    @Test
    void reportsTheRunsASweepExpectsThatHaveNotFinished() throws IOException {
        String yaml = "name: t\nbenchmark: mnist\nmethods: [ARM]\nruns: 3\n";
        ExperimentFile f = ExperimentFile.parse(yaml, true, "t.yaml");
        List<RunSpec> runs = Plan.expand(f);
        SweepRoot root = new SweepRoot(tmp.resolve("root"));
        root.prepare(f, runs);
        folder(root.run(runs.get(0).id()), "ARM", 0, 0.5, "{}", null);
        RunFolder.note(root.run(runs.get(0).id()), Map.of("row", "ARM", "state", "done"));
        RunFolder.note(root.run(runs.get(2).id()), Map.of("row", "ARM", "state", "cancelled"));
        Merge.Result m = Merge.merge(List.of(root.dir()), false);
        assertThat(m.rows().get("ARM")).hasSize(1);
        assertThat(m.expected()).containsEntry("ARM", 3);
        assertThat(m.missing()).hasSize(2);
        assertThat(m.missing().get(0)).startsWith("ARM seed 1 (").endsWith(": pending)");
        assertThat(m.missing().get(1)).startsWith("ARM seed 2 (").endsWith(": failed)");
    }

    @Test
    void anOutputRootHoldsOneExperiment() {
        ExperimentFile f =
                ExperimentFile.parse("benchmark: mnist\nmethods: [ARM]\nruns: 1\n", true, "a");
        SweepRoot root = new SweepRoot(tmp.resolve("r"));
        root.prepare(f, Plan.expand(f));
        ExperimentFile same =
                ExperimentFile.parse(
                        "# same runs\nbenchmark: mnist\nmethods: [arm]\nruns: 1\n", true, "b");
        root.prepare(same, Plan.expand(same));
        ExperimentFile other =
                ExperimentFile.parse("benchmark: mnist\nmethods: [ARM]\nruns: 2\n", true, "c");
        assertThatThrownBy(() -> root.prepare(other, Plan.expand(other)))
                .hasMessageContaining("holds another experiment");
    }
}

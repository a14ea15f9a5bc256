package arm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import arm.method.Methods;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --tasks N}: a shortened run is recorded, kept on resume, marked in the tables. */
class TasksCliTest {
    @TempDir Path tmp;

    private List<String> train(Path data, Path out, String tasks) {
        return new ArrayList<>(
                List.of(
                        "train",
                        "--method",
                        "Naive",
                        "--runs",
                        "1",
                        "--samples-per-class",
                        "30",
                        "--tasks",
                        tasks,
                        "--data",
                        data.toString(),
                        "--out",
                        out.toString(),
                        "--mlp_hidden",
                        "16",
                        "--keep-checkpoints"));
    }

    @Test
    void twoTasksRunEndToEndAndResumeAndReportKeepThem() throws Exception {
        Path data = CliRuns.mnist(tmp.resolve("mnist")), out = tmp.resolve("out");
        CliRuns.Outcome o = CliRuns.run(Methods::create, train(data, out, "2"));
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out()).contains("MNIST-5k-5, 2 tasks").contains("shortened to its first 2");
        JsonNode root = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        JsonNode cfg = root.get("config");
        assertThat(cfg.get("firstTasks").asInt()).isEqualTo(2);
        assertThat(cfg.get("tasks").asInt()).isEqualTo(2);
        assertThat(cfg.get("batchesPerTask").asInt()).isEqualTo(6); // as in all 5 tasks
        assertThat(cfg.get("iterations").asInt()).isEqualTo(12);
        assertThat(cfg.get("trainSize").asInt()).isEqualTo(4 * 30);
        assertThat(cfg.get("testSize").asInt()).isEqualTo(4 * 5);
        JsonNode test = root.get("runs").get(0).get("test");
        assertThat(test.get("perClassAccuracy").get(0)).hasSize(4); // the head of 4 classes
        assertThat(test.get("forgetting").isNumber()).isTrue();

        CliRuns.Outcome refused =
                CliRuns.run(
                        Methods::create,
                        List.of("train", "--resume", out.toString(), "--tasks", "3"));
        assertThat(refused.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(refused.err()).contains("drop --tasks");
        CliRuns.Outcome resumed =
                CliRuns.run(Methods::create, List.of("train", "--resume", out.toString()));
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("2 tasks").contains("shortened to its first 2");

        CliRuns.Outcome report =
                CliRuns.run(
                        Methods::create,
                        List.of("report", out.toString(), "--out", tmp.resolve("r").toString()));
        assertThat(report.code()).as(report.err()).isZero();
        assertThat(report.out()).contains("shortened to its first 2");
    }

    @Test
    void fewerThanTwoOrMoreThanTheBenchmarkHasIsAUsageError() throws Exception {
        Path data = CliRuns.mnist(tmp.resolve("mnist"));
        CliRuns.Outcome one = CliRuns.run(Methods::create, train(data, tmp.resolve("a"), "1"));
        assertThat(one.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(one.err())
                .startsWith("arm: --tasks must be at least 2 (forgetting needs two tasks), got 1");
        CliRuns.Outcome six = CliRuns.run(Methods::create, train(data, tmp.resolve("b"), "6"));
        assertThat(six.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(six.err()).startsWith("arm: --tasks 6: the benchmark has 5 tasks");
    }
}

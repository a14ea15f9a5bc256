package arm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import arm.method.Methods;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --rng}: {@code reproduce mnist} runs the methods of the authors' code with their run ids
 * and random streams, ER rows with ours; the choice is recorded and kept on resume; bad uses are
 * refused with a message.
 */
class RngCliTest {
    @TempDir Path tmp;

    private List<String> reproduce(Path data, Path out, String... more) {
        List<String> a =
                new ArrayList<>(
                        List.of(
                                "reproduce",
                                "mnist",
                                "--methods",
                                "Naive,Distill,ER",
                                "--runs",
                                "2",
                                "--samples-per-class",
                                "30",
                                "--data",
                                data.toString(),
                                "--out",
                                out.toString(),
                                "-o",
                                "mlp_hidden=16",
                                "--gradient-samples",
                                "0",
                                "--no-figures",
                                "--keep-checkpoints"));
        a.addAll(List.of(more));
        return a;
    }

    private static JsonNode json(Path out) throws Exception {
        return new ObjectMapper().readTree(out.resolve("results.json").toFile());
    }

    @Test
    void reproduceMnistRunsTheAuthorsRunIdsAndResumeKeepsThem() throws Exception {
        Path data = CliRuns.mnist(tmp.resolve("mnist")), out = tmp.resolve("out");
        CliRuns.Outcome o = CliRuns.run(Methods::create, reproduce(data, out));
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out()).contains("run ids  Naive 4967–4968, Distill 6102–6103");
        JsonNode cfg = json(out).get("config");
        assertThat(cfg.get("runIds").get("Naive").toString()).isEqualTo("[4967,4968]");
        assertThat(cfg.get("runIds").get("Distill").toString()).isEqualTo("[6102,6103]");
        assertThat(cfg.get("runIds").has("ER-50")).isFalse();
        assertThat(cfg.get("options").get("Distill").get("rng").asText()).isEqualTo("authors");
        assertThat(cfg.get("options").get("ER-50").get("rng").asText()).isEqualTo("ours");
        String csv = Files.readString(out.resolve("runs.csv"));
        assertThat(csv).contains(",6102,").contains(",6103,").contains(",4968,");

        String summary = accuracies(json(out));
        CliRuns.Outcome again =
                CliRuns.run(Methods::create, List.of("reproduce", "--resume", out.toString()));
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.out()).contains("run ids  Naive 4967–4968");
        assertThat(accuracies(json(out))).isEqualTo(summary); // finished runs kept as they were
    }

    private static String accuracies(JsonNode results) {
        StringBuilder b = new StringBuilder();
        for (JsonNode row : results.get("summary"))
            b.append(row.get("method")).append(row.get("accuracy")).append(row.get("forgetting"));
        return b.toString();
    }

    @Test
    void oursGivesEveryMethodTheSameSeeds() throws Exception {
        Path data = CliRuns.mnist(tmp.resolve("mnist")), out = tmp.resolve("out");
        CliRuns.Outcome o = CliRuns.run(Methods::create, reproduce(data, out, "--rng", "ours"));
        assertThat(o.code()).as(o.err()).isZero();
        JsonNode cfg = json(out).get("config");
        assertThat(cfg.has("runIds")).isFalse();
        assertThat(cfg.get("options").get("Distill").get("rng").asText()).isEqualTo("ours");
        assertThat(cfg.get("seeds").toString()).isEqualTo("[0,1]");
    }

    @Test
    void seed0WithAuthorsStreamsUsesThoseIds() throws Exception {
        Path data = CliRuns.mnist(tmp.resolve("mnist")), out = tmp.resolve("out");
        CliRuns.Outcome o =
                CliRuns.run(
                        Methods::create,
                        List.of(
                                "train",
                                "--method",
                                "Distill",
                                "--rng",
                                "authors",
                                "--seed0",
                                "7",
                                "--samples-per-class",
                                "30",
                                "--data",
                                data.toString(),
                                "--out",
                                out.toString(),
                                "--mlp_hidden",
                                "16",
                                "--no-figures"));
        assertThat(o.code()).as(o.err()).isZero();
        JsonNode cfg = json(out).get("config");
        assertThat(cfg.has("runIds")).isFalse();
        assertThat(cfg.get("seeds").toString()).isEqualTo("[7]");
        assertThat(cfg.get("options").get("Distill").get("rng").asText()).isEqualTo("authors");
    }

    @Test
    void badUsesAreRefused() {
        refused(
                List.of("train", "--method", "ER", "--rng", "authors"),
                "ER is not in the ARM authors' code");
        refused(
                List.of("reproduce", "cifar10", "--rng", "authors"),
                "--rng authors replays the authors' MNIST runs");
        refused(
                List.of("reproduce", "mnist", "--rng", "authors", "--stream", "mir"),
                "cannot go with --stream mir");
        refused(List.of("reproduce", "mnist", "--rng", "numpy"), "--rng must be ours or authors");
    }

    private void refused(List<String> args, String message) {
        List<String> a = new ArrayList<>(args);
        a.addAll(List.of("--data", tmp.toString(), "--out", tmp.resolve("out").toString()));
        CliRuns.Outcome o = CliRuns.run(Methods::create, a);
        assertThat(o.code()).as(String.join(" ", args)).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(o.err()).contains(message);
    }
}

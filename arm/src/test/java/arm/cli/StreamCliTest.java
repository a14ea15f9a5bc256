package arm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import arm.method.Methods;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --stream}: the MNIST training stream is recorded, kept on resume, refused elsewhere. */
class StreamCliTest {
    @TempDir Path tmp;

    @Test
    void mirStreamIsRecordedAndResumeKeepsIt() throws Exception {
        Path data = CliRuns.mnist(tmp.resolve("mnist")), out = tmp.resolve("out");
        CliRuns.Outcome o =
                CliRuns.run(
                        Methods::create,
                        List.of(
                                "train",
                                "--method",
                                "Naive",
                                "--runs",
                                "1",
                                "--samples-per-class",
                                "30",
                                "--stream",
                                "mir",
                                "--data",
                                data.toString(),
                                "--out",
                                out.toString(),
                                "--mlp_hidden",
                                "16",
                                "--keep-checkpoints"));
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out()).contains("stream   mir");
        JsonNode cfg =
                new ObjectMapper().readTree(out.resolve("results.json").toFile()).get("config");
        assertThat(cfg.get("stream").asText()).isEqualTo("mir");
        assertThat(cfg.get("valSplit").asText()).isEqualTo("mir");
        assertThat(cfg.get("trainSize").asInt())
                .isEqualTo(5 * (2 * 30 + 10)); // one batch more per task
        assertThat(cfg.get("batchesPerTask").asInt()).isEqualTo(7);

        CliRuns.Outcome refused =
                CliRuns.run(
                        Methods::create,
                        List.of("train", "--resume", out.toString(), "--stream", "arm"));
        assertThat(refused.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(refused.err()).contains("drop --stream");
        CliRuns.Outcome resumed =
                CliRuns.run(Methods::create, List.of("train", "--resume", out.toString()));
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("stream   mir");
    }

    @Test
    void streamIsForMnistOnly() {
        CliRuns.Outcome o =
                CliRuns.run(
                        Methods::create,
                        List.of(
                                "reproduce",
                                "cifar10",
                                "--methods",
                                "Naive",
                                "--stream",
                                "mir",
                                "--data",
                                tmp.resolve("none").toString(),
                                "--out",
                                tmp.resolve("out").toString()));
        assertThat(o.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(o.err()).contains("--stream is for mnist only");
    }
}

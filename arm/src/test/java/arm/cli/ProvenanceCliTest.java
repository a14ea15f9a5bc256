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

/** results.json names the build, the command line and the machine; a resume adds itself. */
class ProvenanceCliTest {
    @TempDir Path tmp;

    @Test
    void resultsNameTheirBuildAndCommandAndResumesAddThemselves() throws Exception {
        Path data = CliRuns.mnist(tmp.resolve("mnist")), out = tmp.resolve("out");
        List<String> train =
                List.of(
                        "train",
                        "--method",
                        "Naive",
                        "--samples-per-class",
                        "30",
                        "--data",
                        data.toString(),
                        "--out",
                        out.toString(),
                        "--mlp_hidden",
                        "16",
                        "--keep-checkpoints"); // a finished command resumes only through kept
        // checkpoints
        CliRuns.Outcome o = CliRuns.run(Methods::create, train);
        assertThat(o.code()).as(o.err()).isZero();
        JsonNode p =
                new ObjectMapper().readTree(out.resolve("results.json").toFile()).get("provenance");
        assertThat(p.get("version").asText()).isEqualTo("0.1.0-SNAPSHOT");
        assertThat(p.get("commit").asText()).matches("[0-9a-f]{40}|unknown");
        List<String> args = new ArrayList<>();
        p.get("commandLine").forEach(a -> args.add(a.asText()));
        assertThat(args).isEqualTo(train);
        assertThat(p.get("cores").asInt()).isPositive();
        assertThat(p.get("finished").asText()).endsWith("Z");

        o = CliRuns.run(Methods::create, List.of("train", "--resume", out.toString()));
        assertThat(o.code()).as(o.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertThat(root.get("provenance")).isEqualTo(p);
        assertThat(root.get("resumes")).hasSize(1);
        assertThat(root.get("resumes").get(0).get("commandLine").get(1).asText())
                .isEqualTo("--resume");
        assertThat(Files.readString(out.resolve("report.md")))
                .contains("## Provenance")
                .contains("resumed: `arm train --resume");
    }

    @Test
    void versionNamesTheBuild() {
        CliRuns.Outcome o = CliRuns.run(Methods::create, List.of("--version"));
        assertThat(o.code()).isZero();
        assertThat(o.out()).startsWith("arm 0.1.0-SNAPSHOT (commit ");
    }
}

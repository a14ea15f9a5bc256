package arm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import arm.method.MethodOption;
import arm.method.Methods;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A method defined only in test code (arm.method.TestOnlyProvider) runs through the CLI. */
class ExtensionCliTest {
    @TempDir Path tmp;

    @Test
    void aMethodFromTestCodeTrainsThroughTheCli() throws Exception {
        assertThat(Methods.names()).endsWith("TestOnly");
        Path data = CliRuns.mnist(tmp.resolve("mnist")), out = tmp.resolve("out");
        CliRuns.Outcome o =
                CliRuns.run(
                        MethodFactory.PUBLISHED,
                        List.of(
                                "train",
                                "--method",
                                "TestOnly",
                                "--samples-per-class",
                                "30",
                                "--data",
                                data.toString(),
                                "--out",
                                out.toString(),
                                "--mlp_hidden",
                                "16",
                                "--repeats",
                                "3",
                                "--no-figures"));
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out()).contains("TestOnly");
        JsonNode root = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertThat(root.at("/config/options/TestOnly/repeats").asText()).isEqualTo("3");
        assertThat(root.at("/summary/0/method").asText()).isEqualTo("TestOnly");
        assertThat(root.at("/summary/0/accuracy/mean").asDouble()).isBetween(0.0, 100.0);

        CliRuns.Outcome bad =
                CliRuns.run(
                        MethodFactory.PUBLISHED,
                        List.of(
                                "train",
                                "--method",
                                "TestOnly",
                                "--data",
                                data.toString(),
                                "--out",
                                tmp.resolve("bad").toString(),
                                "--repeats",
                                "0"));
        assertThat(bad.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(bad.err()).contains("repeats");
    }

    @Test
    void helpListsEveryOptionOfAMethodWithItsDefaultPerDataset() {
        CliRuns.Outcome o =
                CliRuns.run(MethodFactory.PUBLISHED, List.of("train", "--method", "ARM", "--help"));
        assertThat(o.code()).isZero();
        for (MethodOption opt : Methods.provider("ARM").options())
            assertThat(o.out())
                    .as(opt.key())
                    .containsPattern("\\n  " + opt.key() + " +.*" + Pattern.quote(opt.meaning()));
        assertThat(o.out()).containsPattern("lambda3 +λ3 +16\\.0 +16\\.0 +1\\.0 ");
        CliRuns.Outcome m = CliRuns.run(MethodFactory.PUBLISHED, List.of("methods", "er-mir"));
        assertThat(m.code()).isZero();
        assertThat(m.out()).contains("ER-MIR options").containsPattern("subsample +50 +50 +25 ");
        CliRuns.Outcome all = CliRuns.run(MethodFactory.PUBLISHED, List.of("methods"));
        assertThat(all.out()).contains("Naive").contains("ER-MIR").contains("TestOnly");
        CliRuns.Outcome unknown = CliRuns.run(MethodFactory.PUBLISHED, List.of("methods", "Nope"));
        assertThat(unknown.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(unknown.err()).contains("unknown method 'Nope'");
    }

    @Test
    void aDatasetFromTestCodeRunsThroughTheCli() throws Exception {
        Path out = tmp.resolve("noise");
        CliRuns.Outcome o =
                CliRuns.run(
                        MethodFactory.PUBLISHED,
                        List.of(
                                "train",
                                "--method",
                                "TestOnly",
                                "--dataset",
                                "Noise",
                                "--data",
                                tmp.toString(),
                                "--out",
                                out.toString(),
                                "--mlp_hidden",
                                "8",
                                "--no-figures"));
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out()).contains("Noise-5");
        JsonNode root = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertThat(root.at("/config/benchmark").asText()).isEqualTo("noise");
        CliRuns.Outcome bad =
                CliRuns.run(
                        MethodFactory.PUBLISHED,
                        List.of("train", "--method", "ARM", "--dataset", "nope"));
        assertThat(bad.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(bad.err()).contains("mnist, cifar10, miniimagenet, noise");
    }
}

package arm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import arm.data.IdxFiles;
import arm.method.MemoryCost;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ER / ER-MIR rows on the command line (with {@link FakeMethod}) and the Table 6 layout. */
class BufferRowsTest {
    @TempDir static Path shared;
    @TempDir Path tmp;
    static Path data;

    @BeforeAll
    static void writeData() throws Exception {
        data = IdxFiles.writeSmallMnist(shared);
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
                        "1"));
        return a.toArray(String[]::new);
    }

    @Test
    void reproduceExpandsBufferMethodsToThePapersSizesAndRoutesOptions() throws Exception {
        List<String> created = new ArrayList<>();
        List<Map<String, String>> options = new ArrayList<>();
        MethodFactory spy =
                (name, opts) -> {
                    created.add(name);
                    options.add(opts);
                    return FakeMethod.create(name, opts);
                };
        MainTest.Outcome o =
                MainTest.run(
                        spy,
                        args(
                                "reproduce",
                                "mnist",
                                "--methods",
                                "ARM,ER,er-mir-7",
                                "--runs",
                                "1",
                                "-o",
                                "ER:M=3",
                                "-o",
                                "ER-25:lr=0.1"));
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(created).containsExactly("ARM", "ER-50", "ER-25", "ER-MIR-7");
        assertThat(options.get(0))
                .containsExactly(Map.entry("rng", "authors")); // reproduce mnist's default
        assertThat(options.get(1)).containsExactly(Map.entry("M", "3")); // ER rows keep our streams
        assertThat(options.get(2)).containsOnly(Map.entry("M", "3"), Map.entry("lr", "0.1"));
        assertThat(options.get(3)).isEmpty();
        assertThat(o.out())
                .contains(
                        "| ER-50 ",
                        "62.8 ± 3.1 / 42.0 ± 3.7",
                        "| ER-25 ",
                        "51.6 ± 2.7 / 57.0 ± 3.3",
                        "#images",
                        "#params");
        JsonNode summary =
                new ObjectMapper()
                        .readTree(tmp.resolve("out/results.json").toFile())
                        .get("summary");
        assertThat(summary)
                .extracting(n -> n.get("method").asText())
                .containsExactly("ARM", "ER-50", "ER-25", "ER-MIR-7");
    }

    @Test
    void defaultMethodsIncludeAllFourBufferRows() {
        List<String> created = new ArrayList<>();
        MethodFactory spy =
                (name, opts) -> {
                    created.add(name);
                    return FakeMethod.create(name, opts);
                };
        MainTest.Outcome o = MainTest.run(spy, args("reproduce", "mnist", "--runs", "1"));
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(created)
                .containsExactly(
                        "Naive",
                        "Stationary",
                        "Distill",
                        "ADI",
                        "ARM",
                        "ER-50",
                        "ER-25",
                        "ER-MIR-50",
                        "ER-MIR-25",
                        "GEN",
                        "GEN-MIR");
    }

    @Test
    void sameRowTwiceOrAnOptionForAnUnselectedMethodIsAUsageError() {
        MainTest.Outcome twice = MainTest.run(args("reproduce", "mnist", "--methods", "ER,ER-50"));
        assertThat(twice.code()).isEqualTo(2);
        assertThat(twice.err()).contains("ER-50 is listed twice");
        MainTest.Outcome other =
                MainTest.run(args("reproduce", "mnist", "--methods", "ER-50", "-o", "ER-MIR:M=3"));
        assertThat(other.code()).isEqualTo(2);
        assertThat(other.err()).contains("not selected");
    }

    @Test
    void tablePrintsTheMemoryColumnsInThePapersStyle() {
        Results.Stat s = new Results.Stat(60, 3);
        List<Results.Summary> rows =
                List.of(
                        new Results.Summary(
                                "ER-50",
                                5,
                                s,
                                s,
                                s,
                                12.3,
                                null,
                                new MemoryCost(50, 39200, 0, 0, 10)),
                        new Results.Summary(
                                "ARM",
                                5,
                                s,
                                s,
                                s,
                                70.0,
                                null,
                                new MemoryCost(0, 0, 478410, 1913640, 10)),
                        new Results.Summary("Naive", 5, s, s, s, 5.0, null, MemoryCost.NONE),
                        new Results.Summary("Other", 5, s, s, s, 5.0, null, null));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Table.print(
                new PrintStream(buf, true, StandardCharsets.UTF_8), Benchmark.mnist, rows, 5, 1);
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(out)
                .contains("| ER-50       |      50 |  0.04 |       0 |     0 |  10 | 60.0 ± 3.0");
        assertThat(out).contains("| ARM         |       0 |     0 |    478K |  1.91 |  10 |");
        assertThat(out).contains("| Naive       |       0 |     0 |       0 |     0 |   0 |");
        assertThat(out).contains("| Other       |       ? |     ? |       ? |     ? |   ? |");
        assertThat(Table.megabytes(10_584_000)).isEqualTo("10.6");
        assertThat(Table.megabytes(614_400)).isEqualTo("0.61");
        assertThat(Table.count(1_094_750)).isEqualTo("1.09M");
    }
}

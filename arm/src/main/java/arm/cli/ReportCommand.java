package arm.cli;

import arm.io.AtomicFile;
import arm.method.MemoryCost;
import arm.metrics.Metrics;
import arm.report.Report;
import arm.report.RunFiles;
import arm.report.TrainLogFile;
import arm.sweep.Merge;
import arm.sweep.SweepError;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code arm report DIR…}: merges the finished runs of any results folders (sweep roots, run
 * folders, reproduce or train folders) into the paper-style table, results.json, runs.csv,
 * summary.csv, figures and report.md. Folders from different code versions or with different
 * settings for the same row are refused unless {@code --allow-mixed}; runs a sweep expected but
 * that have not finished are listed.
 */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        description =
                "Merge results folders (one sweep or several) into one table, figures and"
                        + " report.md.")
final class ReportCommand implements Callable<Integer> {
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Main.Context ctx;

    @Parameters(
            arity = "1..*",
            paramLabel = "DIR",
            description = "results folders or sweep output roots")
    List<Path> dirs;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description =
                    "where the merged report goes (default: DIR/report for one folder, else"
                            + " results/report-<time>)")
    Path out;

    @Option(
            names = "--allow-mixed",
            description = "merge despite different code versions, protocols or options per row")
    boolean allowMixed;

    ReportCommand(Main.Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        Path o =
                out != null
                        ? out
                        : dirs.size() == 1
                                ? dirs.get(0).resolve("report")
                                : RunOptions.home()
                                        .resolve("results")
                                        .resolve(
                                                "report-"
                                                        + LocalDateTime.now()
                                                                .format(
                                                                        DateTimeFormatter.ofPattern(
                                                                                "yyyyMMdd-HHmmss")));
        return report(ctx, dirs, o, allowMixed);
    }

    /** Merges, prints the table and writes the report into {@code out}; the exit code. */
    static int report(Main.Context ctx, List<Path> dirs, Path out, boolean allowMixed) {
        Merge.Result m;
        try {
            m = Merge.merge(dirs, allowMixed);
        } catch (SweepError e) {
            throw new UsageError(e.getMessage());
        }
        Benchmark bench = Benchmark.of(m.benchmark(), m.config().path("dataset").asText());
        if (bench == null)
            throw new UsageError(
                    m.folders().get(0) + ": config.benchmark names no benchmark of this build");
        Map<String, Paper.Row> paper = new LinkedHashMap<>();
        List<Results.Summary> rows = new ArrayList<>();
        int runs = 0;
        for (var e : m.rows().entrySet()) {
            String row = e.getKey();
            List<Merge.Run> rs = e.getValue();
            double[] p = m.paper().get(row);
            Paper.Row pr = p != null ? new Paper.Row(p[0], p[1], p[2], p[3]) : bench.paper.get(row);
            if (pr != null) paper.put(row, pr);
            rows.add(summary(row, rs, pr));
            runs = Math.max(runs, Math.max(rs.size(), m.expected().getOrDefault(row, 0)));
        }
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        PrintStream tp = new PrintStream(table, true, StandardCharsets.UTF_8);
        JsonNode ft = m.config().get("firstTasks");
        Table.print(
                tp, bench, paper, rows, runs, 1, ft != null && ft.isInt() ? ft.intValue() : null);
        String text = table.toString(StandardCharsets.UTF_8);
        ctx.out().print(text);
        for (String w : m.warnings()) ctx.out().println("warning: " + w);
        if (!m.missing().isEmpty()) {
            ctx.out().printf("%d run(s) missing:%n", m.missing().size());
            for (String s : m.missing()) ctx.out().println("  " + s);
        }
        try {
            write(out, m, rows, runs, text);
        } catch (IOException e) {
            throw new UsageError("cannot write the report to " + out + ": " + e.getMessage());
        }
        ctx.out()
                .printf(
                        "%nMerged %d folder(s), code version %s: %s (results.json, runs.csv,"
                                + " summary.csv, report.md)%n",
                        m.folders().size(), String.join(", ", m.versions()), out);
        return 0;
    }

    /**
     * Copies the run's side files (recall history, recalled images, gradient samples, train log)
     * into out/runs/ROW-runI/ and points the entry at the copies: the figures only read files
     * inside the report's folder (RunFiles.inside).
     */
    private static ObjectNode withLocalSideFiles(ObjectNode n, Merge.Run r, int index, Path out)
            throws IOException {
        String runDir = RunFiles.runDir(Report.fileName(r.row()), index);
        for (String[] k : SIDE_FILES) {
            String rel = r.json().path(k[0]).path(k[1]).asText(null);
            if (rel == null) continue;
            Path src = RunFiles.inside(r.folder(), rel);
            String copy = runDir + "/" + src.getFileName();
            Files.createDirectories(out.resolve(runDir));
            Files.copy(src, out.resolve(copy), StandardCopyOption.REPLACE_EXISTING);
            ((ObjectNode) n.get(k[0])).put(k[1], copy);
        }
        Path log = TrainLogFile.of(r.folder(), r.method(), r.json().path("run").asInt());
        if (Files.isRegularFile(log, LinkOption.NOFOLLOW_LINKS)) {
            Path dst = out.resolve(runDir).resolve(log.getFileName());
            Files.createDirectories(dst.getParent());
            Files.copy(log, dst, StandardCopyOption.REPLACE_EXISTING);
        }
        return n;
    }

    private static final String[][] SIDE_FILES = {
        {"recall", "history"},
        {"recall", "pairs"},
        {"recall", "images"},
        {"gradients", "perSample"},
        {"generated", "images"}
    };

    /** The seeds of a row with {@code runs} runs (every row's, when all rows ran the same). */
    private static List<Long> seedsOfFullestRow(Merge.Result m, int runs) {
        List<Long> seeds = new ArrayList<>();
        for (List<Merge.Run> rs : m.rows().values())
            if (rs.size() > seeds.size()) seeds = rs.stream().map(Merge.Run::seed).toList();
        // expected runs that have not finished: -1, -2, … stand for their seeds
        for (long s = seeds.size(); seeds.size() < runs; s++) {
            seeds = new ArrayList<>(seeds);
            seeds.add(-1L - s);
        }
        return seeds;
    }

    private static Results.Summary summary(String row, List<Merge.Run> rs, Paper.Row paper) {
        double[] acc =
                rs.stream()
                        .mapToDouble(
                                r -> r.json().path("test").path("accuracy").asDouble(Double.NaN))
                        .toArray();
        double[] fgt =
                rs.stream()
                        .mapToDouble(
                                r -> r.json().path("test").path("forgetting").asDouble(Double.NaN))
                        .toArray();
        double[] val =
                rs.stream()
                        .mapToDouble(
                                r -> r.json().path("val").path("accuracy").asDouble(Double.NaN))
                        .toArray();
        double secs =
                rs.stream()
                        .mapToDouble(r -> r.json().path("seconds").path("wall").asDouble())
                        .average()
                        .orElse(Double.NaN);
        boolean stationary = rs.get(0).stationary();
        MemoryCost mem = null;
        JsonNode mj = rs.get(0).memory();
        if (mj != null && mj.isObject())
            try {
                mem = JSON.treeToValue(mj, MemoryCost.class);
            } catch (IOException | IllegalArgumentException e) {
                mem = null; // the table shows "?"
            }
        return new Results.Summary(
                row,
                rs.size(),
                Results.Stat.percent(Metrics.stat(acc)),
                stationary ? null : Results.Stat.percent(Metrics.stat(fgt)),
                Results.Stat.percent(Metrics.stat(val)),
                secs,
                Results.PaperRef.of(paper),
                mem);
    }

    private static void write(
            Path out, Merge.Result m, List<Results.Summary> rows, int runs, String table)
            throws IOException {
        Files.createDirectories(out);
        List<Object> runJson = new ArrayList<>();
        StringBuilder csv =
                new StringBuilder(
                        "row,method,seed,test_accuracy_pct,test_forgetting_pct,val_accuracy_pct,wall_seconds,folder\n");
        for (var e : m.rows().entrySet())
            for (int i = 0; i < e.getValue().size(); i++) {
                Merge.Run r = e.getValue().get(i);
                runJson.add(withLocalSideFiles(Merge.relocated(r, i), r, i, out));
                csv.append(
                                String.join(
                                        ",",
                                        quote(r.row()),
                                        r.method(),
                                        Long.toString(r.seed()),
                                        pct(r.json().path("test").path("accuracy")),
                                        pct(r.json().path("test").path("forgetting")),
                                        pct(r.json().path("val").path("accuracy")),
                                        fmt(r.json().path("seconds").path("wall").asDouble()),
                                        quote(r.folder().toString())))
                        .append('\n');
            }
        StringBuilder sum =
                new StringBuilder(
                        "row,runs,accuracy_mean,accuracy_std,forgetting_mean,forgetting_std,paper_accuracy,paper_accuracy_std,paper_forgetting,paper_forgetting_std,seconds_per_run\n");
        for (Results.Summary s : rows)
            sum.append(
                            String.join(
                                    ",",
                                    quote(s.method()),
                                    Integer.toString(s.runs()),
                                    fmt(s.accuracy().mean()),
                                    fmt(s.accuracy().std()),
                                    s.forgetting() == null ? "" : fmt(s.forgetting().mean()),
                                    s.forgetting() == null ? "" : fmt(s.forgetting().std()),
                                    s.paper() == null ? "" : fmt(s.paper().accuracy().mean()),
                                    s.paper() == null ? "" : fmt(s.paper().accuracy().std()),
                                    s.paper() == null || s.paper().forgetting() == null
                                            ? ""
                                            : fmt(s.paper().forgetting().mean()),
                                    s.paper() == null || s.paper().forgetting() == null
                                            ? ""
                                            : fmt(s.paper().forgetting().std()),
                                    fmt(s.secondsPerRun())))
                    .append('\n');
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("command", "report");
        config.put("started", OffsetDateTime.now().withNano(0).toString());
        for (String k :
                List.of(
                        "benchmark",
                        "dataset",
                        "samplesPerClass",
                        "firstTasks",
                        "stream",
                        "valSplit",
                        "tasks",
                        "iterations",
                        "batchSize",
                        "batchesPerTask",
                        "trainSize",
                        "valSize",
                        "testSize",
                        "valSplit",
                        "data")) if (m.config().has(k)) config.put(k, m.config().get(k));
        // the rows stand for the methods, so that the figures are drawn per row
        config.put("methods", List.copyOf(m.rows().keySet()));
        Map<String, JsonNode> options = new LinkedHashMap<>();
        for (String row : m.rows().keySet()) {
            JsonNode o = m.options().get(row);
            options.put(row, o != null && o.isObject() ? o : JSON.createObjectNode());
        }
        config.put("options", options);
        config.put("runs", runs);
        config.put("seeds", seedsOfFullestRow(m, runs));
        config.put(
                "folders", m.folders().stream().map(p -> p.toAbsolutePath().toString()).toList());
        config.put("versions", m.versions());
        config.put("missing", m.missing());
        config.put("warnings", m.warnings());
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("summary", rows);
        root.put(
                "units", "summary and CSV: percent; runs[].test/val histories: fractions in [0,1]");
        root.put("config", config);
        root.put("runs", runJson);
        root.put("failures", List.of());
        AtomicFile.write(out.resolve("results.json"), JSON.writeValueAsBytes(root));
        AtomicFile.write(out.resolve("runs.csv"), csv.toString().getBytes(StandardCharsets.UTF_8));
        AtomicFile.write(
                out.resolve("summary.csv"), sum.toString().getBytes(StandardCharsets.UTF_8));
        AtomicFile.write(out.resolve("table.txt"), table.getBytes(StandardCharsets.UTF_8));
        StringBuilder md = new StringBuilder();
        try {
            Report.write(out, false);
            md.append(Files.readString(out.resolve("report.md")));
        } catch (IOException | RuntimeException e) {
            md.append("# Merged report\n\nThe figures could not be drawn: ").append(e).append("\n");
        }
        md.append("\n## Merged folders\n\n");
        for (Path p : m.folders()) md.append("- `").append(p).append("`\n");
        md.append("\nCode version(s): ").append(String.join(", ", m.versions())).append("\n");
        if (!m.warnings().isEmpty()) {
            md.append("\nMerged despite (--allow-mixed):\n\n");
            for (String w : m.warnings()) md.append("- ").append(w).append('\n');
        }
        if (!m.missing().isEmpty()) {
            md.append("\n## Missing runs (").append(m.missing().size()).append(")\n\n");
            for (String s : m.missing()) md.append("- ").append(s).append('\n');
        }
        AtomicFile.write(out.resolve("report.md"), md.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String quote(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static String pct(JsonNode v) {
        return v.isNumber() ? fmt(100 * v.asDouble()) : "";
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
    }
}

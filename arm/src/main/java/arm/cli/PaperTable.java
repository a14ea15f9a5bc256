package arm.cli;

import arm.sweep.ExperimentFile;
import arm.sweep.LocalExecutor;
import arm.sweep.Plan;
import arm.sweep.RunFolder;
import arm.sweep.RunSpec;
import arm.sweep.SweepError;
import arm.sweep.SweepRoot;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * {@code arm reproduce BENCHMARK --table N}: which of the paper's tables a benchmark has, and the
 * ones whose rows are not one method each (Table 7's ablations: ARM with one setting changed per
 * row) run as the built-in experiment file of that name, as a local sweep into the output folder,
 * then merged into the paper-style table by {@code arm report}.
 */
final class PaperTable {
    private PaperTable() {}

    /** The benchmark's main table: what a plain {@code reproduce BENCHMARK} runs. */
    static int main(Benchmark b) {
        return b == Benchmark.mnist ? 6 : b == Benchmark.miniimagenet ? 5 : 1;
    }

    /** Tables run from a built-in experiment file, by benchmark: table number → file name. */
    static final Map<String, Map<Integer, String>> FILES = Map.of("cifar10", Map.of(7, "table7"));

    /** Options of reproduce that a file-based table cannot take (the file decides them). */
    static final List<String> REFUSED =
            List.of(
                    "--methods",
                    "--rng",
                    "--val-split",
                    "--stream",
                    "--samples-per-class",
                    "--tasks",
                    "--log-every",
                    "--keep-checkpoints",
                    "--resume");

    /**
     * The built-in file for {@code table} of {@code bench}, null for its main table, an error for a
     * table the benchmark does not have.
     */
    static String file(Benchmark bench, int table) {
        if (table == main(bench)) return null;
        String f = FILES.getOrDefault(bench.name(), Map.of()).get(table);
        if (f == null)
            throw new UsageError(
                    "--table "
                            + table
                            + " is not a table of "
                            + bench
                            + "; mnist has table 6, cifar10 tables 1 and 7 (the ablations),"
                            + " miniimagenet table 5");
        return f;
    }

    /**
     * The built-in file with the command line's settings in place of its own: runs, seed0, the
     * gradient study, figures, checkpoints, device and -o options (METHOD:KEY=VALUE becomes
     * METHOD.KEY; a row's own setting of the same key wins).
     */
    static ExperimentFile configured(String name, ReproduceCommand c) {
        ObjectMapper yaml =
                new ObjectMapper(
                        new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));
        ObjectNode root;
        try {
            root = (ObjectNode) yaml.readTree(ExperimentFile.builtInText(name));
        } catch (IOException e) {
            throw new IllegalStateException("built-in " + name + " does not parse", e);
        }
        RunOptions o = c.options;
        root.put("runs", c.runs);
        if (o.seed0 != null) root.put("seed0", o.seed0);
        if (c.given("--gradient-samples")) root.put("gradientSamples", o.gradientSamples);
        if (o.noFigures) root.put("figures", false);
        if (o.checkpointEvery != null) root.put("checkpointEvery", o.checkpointEvery());
        String device = o.device();
        if (device != null) root.put("device", device);
        ObjectNode opts = root.with("options");
        for (String s : o.options) {
            int eq = s.indexOf('=');
            if (eq <= 0) throw new UsageError("-o " + s + ": expected [METHOD:]KEY=VALUE");
            opts.put(s.substring(0, eq).replace(':', '.').trim(), s.substring(eq + 1).trim());
        }
        try {
            String text =
                    "# arm reproduce "
                            + root.path("benchmark").asText()
                            + " --table: the built-in "
                            + name
                            + " (arm experiment show "
                            + name
                            + ") with the command line's settings\n"
                            + yaml.writeValueAsString(root);
            return ExperimentFile.parse(text, true, "built-in " + name);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (SweepError e) {
            throw new UsageError(e.getMessage());
        }
    }

    /**
     * The runs of the configured file, checked (each row's method options) before anything runs.
     */
    static List<RunSpec> plan(ExperimentFile f) {
        try {
            List<RunSpec> runs = Plan.expand(f);
            Plan.validate(runs);
            return runs;
        } catch (SweepError e) {
            throw new UsageError(e.getMessage());
        }
    }

    /** Runs {@code table} of {@code bench} for the command; the exit code. */
    static int run(Main.Context ctx, ReproduceCommand c, Benchmark bench, int table, String name)
            throws InterruptedException {
        for (String opt : REFUSED)
            if (c.given(opt))
                throw new UsageError(
                        opt
                                + " cannot go with --table "
                                + table
                                + ": its rows come from the built-in file "
                                + name
                                + (opt.equals("--resume")
                                        ? "; run the same command with the same --out again to"
                                                + " continue it"
                                        : "; copy it (arm experiment show "
                                                + name
                                                + " > my.yaml) and run arm sweep my.yaml"));
        if (c.runs < 1) throw new UsageError("--runs must be at least 1, got " + c.runs);
        ExperimentFile f = configured(name, c);
        List<RunSpec> runs = plan(f);
        RunOptions.folder("--out", c.options.out);
        Path out =
                c.options.out != null
                        ? c.options.out
                        : RunOptions.home()
                                .resolve("results")
                                .resolve(
                                        bench
                                                + "-table"
                                                + table
                                                + "-"
                                                + LocalDateTime.now()
                                                        .format(
                                                                DateTimeFormatter.ofPattern(
                                                                        "yyyyMMdd-HHmmss")));
        SweepRoot root = new SweepRoot(out);
        Path data = c.options.dataDir(bench);
        if (c.dryRun) {
            ctx.out()
                    .printf(
                            "reproduce %s --table %d: %d rows × %d run(s) = %d runs of %s into"
                                    + " %s, data %s%n",
                            bench,
                            table,
                            runs.size() / f.runs(),
                            f.runs(),
                            runs.size(),
                            f.describe(),
                            out,
                            data);
            for (RunSpec r : runs)
                ctx.out()
                        .printf(
                                "  %-22s seed %d  %s%n",
                                r.row(),
                                r.seed(),
                                r.overrides().isEmpty() ? "(published settings)" : r.overrides());
            return 0;
        }
        try {
            bench.open(data, false); // a missing or damaged dataset: one line, before any run
        } catch (IOException e) {
            throw new UsageError(e.getMessage(), e);
        }
        try {
            root.prepare(f, runs);
        } catch (SweepError e) {
            throw new UsageError(e.getMessage());
        }
        Map<String, RunFolder.Status> st = root.statuses(runs);
        List<RunSpec> todo =
                runs.stream().filter(r -> st.get(r.id()) != RunFolder.Status.done).toList();
        int jobs =
                c.options.threads != null
                        ? c.options.threads
                        : "cuda".equals(f.device())
                                ? 1
                                : Runtime.getRuntime().availableProcessors();
        if (jobs < 1) throw new UsageError("--threads must be at least 1, got " + jobs);
        ctx.out()
                .printf(
                        "reproduce %s --table %d (%s): %d runs, %d finished, %d to run, %d at a"
                                + " time; one folder per run in %s%n",
                        bench,
                        table,
                        f.title(),
                        runs.size(),
                        runs.size() - todo.size(),
                        todo.size(),
                        jobs,
                        out.toAbsolutePath());
        int failed = LocalExecutor.run(root, todo, jobs, data.toString(), ctx.out());
        int code =
                ReportCommand.report(ctx, List.of(root.dir()), root.dir().resolve("report"), false);
        if (failed > 0) {
            ctx.err()
                    .printf(
                            "arm: %d run(s) failed (logs in %s); the same command with --out %s"
                                    + " runs them again%n",
                            failed, root.dir().resolve("logs"), out);
            return Main.EXIT_RUN_FAILED;
        }
        return code;
    }
}

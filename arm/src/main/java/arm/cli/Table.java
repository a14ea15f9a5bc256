package arm.cli;

import arm.method.MemoryCost;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The summary table in the layout of the paper's Tables 1, 5 and 6 (method, +sample mem, +model
 * mem, M, accuracy, forgetting) plus the paper's numbers and our time per run: test split, mean ±
 * population std over runs, %.
 */
final class Table {
    private Table() {}

    static void print(
            PrintStream out, Benchmark bench, List<Results.Summary> rows, int runs, int threads) {
        print(out, bench, rows, runs, threads, null);
    }

    /** The same for a run shortened to its first {@code firstTasks} tasks (null: every task). */
    static void print(
            PrintStream out,
            Benchmark bench,
            List<Results.Summary> rows,
            int runs,
            int threads,
            Integer firstTasks) {
        print(out, bench, bench.paper, rows, runs, threads, firstTasks);
    }

    /**
     * The same with the paper's numbers per row name from {@code paper} (merged reports: ablation
     * rows); {@code firstTasks}: --tasks of a shortened run, null for the whole benchmark.
     */
    static void print(
            PrintStream out,
            Benchmark bench,
            Map<String, Paper.Row> paper,
            List<Results.Summary> rows,
            int runs,
            int threads,
            Integer firstTasks) {
        out.println();
        out.printf(
                "%s%s, test split, mean ± population std over %d run(s), %%:%n",
                bench.title,
                firstTasks == null ? "" : ", shortened to its first " + firstTasks + " tasks",
                runs);
        int w = 11; // wider for named rows (ablations: "ARM D=cross-entropy")
        for (Results.Summary s : rows) w = Math.max(w, s.method().length() + 1);
        String fmt =
                "| %-" + w + "s | %7s | %5s | %7s | %5s | %3s | %-13s | %-13s | %-25s | %8s |%n";
        out.printf(Locale.ROOT, fmt, "", "+sample", "mem", "+model", "mem", "", "", "", "", "");
        out.printf(
                Locale.ROOT,
                fmt,
                "method",
                "#images",
                "MB",
                "#params",
                "MB",
                "M",
                "accuracy",
                "forgetting",
                "paper (acc / forgetting)",
                "s / run");
        out.printf(
                "|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%n",
                "-".repeat(w + 2),
                "-".repeat(9),
                "-".repeat(7),
                "-".repeat(9),
                "-".repeat(7),
                "-".repeat(5),
                "-".repeat(15),
                "-".repeat(15),
                "-".repeat(27),
                "-".repeat(10));
        for (Results.Summary s : rows) {
            Paper.Row p = paper.get(s.method());
            MemoryCost m = s.memory();
            out.printf(
                    Locale.ROOT,
                    fmt,
                    s.method() + (s.runs() < runs ? "*" : ""),
                    m == null ? "?" : Long.toString(m.sampleImages()),
                    m == null ? "?" : megabytes(m.sampleBytes()),
                    m == null ? "?" : count(m.modelParams()),
                    m == null ? "?" : megabytes(m.modelBytes()),
                    m == null ? "?" : Integer.toString(m.m()),
                    stat(s.accuracy()),
                    s.forgetting() == null ? "–" : stat(s.forgetting()),
                    p == null ? "" : p.format(),
                    String.format(Locale.ROOT, "%.1f", s.secondsPerRun()));
        }
        if (rows.stream().anyMatch(s -> s.runs() < runs))
            out.println("* fewer runs finished than asked for");
        if (firstTasks != null)
            out.printf(
                    "Shortened run (--tasks %d): accuracy, forgetting and memory (a head of those"
                            + " tasks' classes) are for the first %d tasks; the paper's numbers for"
                            + " all of them.%n",
                    firstTasks, firstTasks);
        out.println(
                "Stationary: pooled accuracy over all test images; no forgetting (as the authors"
                        + " report it).");
        out.print(
                "s / run: wall time of one run (data split, training, evaluation; the gradient"
                        + " study is timed apart)");
        if (threads > 1)
            out.printf(" while up to %d runs shared the machine (--threads %d)", threads, threads);
        out.println(".");
        out.println(
                "Memory as the paper counts it: 1 byte per grey/RGB value of a stored image, 4"
                        + " bytes per stored parameter; MB = 10^6 bytes. ER-50: ER with a 50-image"
                        + " buffer.");
    }

    /** The paper's style: 0, 0.04, 1.91, 10.6, 108. */
    static String megabytes(long bytes) {
        double mb = MemoryCost.megabytes(bytes);
        if (bytes == 0) return "0";
        return String.format(Locale.ROOT, mb < 10 ? "%.2f" : mb < 100 ? "%.1f" : "%.0f", mb);
    }

    /** The paper's style: 0, 478K, 1.09M. */
    static String count(long n) {
        if (n == 0) return "0";
        if (n < 1_000_000) return String.format(Locale.ROOT, "%dK", Math.round(n / 1e3));
        return String.format(Locale.ROOT, "%.2fM", n / 1e6);
    }

    private static String stat(Results.Stat s) {
        return String.format(Locale.ROOT, "%.1f ± %.1f", s.mean(), s.std());
    }
}

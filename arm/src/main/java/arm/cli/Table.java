package arm.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** The summary table, in the paper's layout: test split, mean ± population std over runs, %. */
final class Table {
  private Table() {}

  static void print(PrintStream out, Benchmark bench, List<Results.Summary> rows, int runs, int threads) {
    out.println();
    out.printf("%s, test split, mean ± population std over %d run(s), %%:%n", bench.title, runs);
    String fmt = "| %-10s | %-13s | %-13s | %-25s | %10s |%n";
    out.printf(Locale.ROOT, fmt, "method", "accuracy", "forgetting", "paper (acc / forgetting)", "s / run");
    out.printf("|%s|%s|%s|%s|%s|%n", "-".repeat(12), "-".repeat(15), "-".repeat(15), "-".repeat(27), "-".repeat(12));
    for (Results.Summary s : rows) {
      Paper.Row p = bench.paper.get(s.method());
      out.printf(Locale.ROOT, fmt,
          s.method() + (s.runs() < runs ? "*" : ""),
          stat(s.accuracy()),
          s.forgetting() == null ? "–" : stat(s.forgetting()),
          p == null ? "" : p.format(),
          String.format(Locale.ROOT, "%.1f", s.secondsPerRun()));
    }
    if (rows.stream().anyMatch(s -> s.runs() < runs)) out.println("* fewer runs finished than asked for");
    out.println("Stationary: pooled accuracy over all test images; no forgetting (as the authors report it).");
    if (threads > 1)
      out.printf("s / run: wall time of one run while %d runs shared the machine (--threads %d).%n", threads, threads);
  }

  private static String stat(Results.Stat s) {
    return String.format(Locale.ROOT, "%.1f ± %.1f", s.mean(), s.std());
  }
}

package arm.cli;

import arm.data.ContinualData;
import arm.method.MemoryCost;
import arm.method.Method;
import arm.method.Methods;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code reproduce} and {@code train} have in common: configure the methods (rejecting bad
 * options before anything runs), load the benchmark's data, echo the configuration, run, print the
 * table.
 */
final class Runner {
  private Runner() {}

  /**
   * @param command     "reproduce mnist" or "train", for messages and results.json
   * @param tag         output folder prefix, e.g. "mnist"
   * @param names       method names as typed
   * @param extra       options from elsewhere on the command line (train's --KEY VALUE), for all
   * @return the exit code
   */
  static int execute(
      Main.Context ctx, RunOptions opt, Benchmark bench, String command, String tag, List<String> names,
      Map<String, String> extra, int runs) {
    if (runs < 1) throw new UsageError("--runs must be at least 1, got " + runs);
    if (names.isEmpty()) throw new UsageError("no method given");
    if (opt.gradientSamples < 0) throw new UsageError("--gradient-samples must be at least 0, got " + opt.gradientSamples);
    String device = opt.device();
    if (device != null) {
      extra = new LinkedHashMap<>(extra);
      extra.put("device", device);
    }
    List<Method> methods = configure(ctx.factory(), bench.dataset, names, opt.options, extra);
    int threads = opt.threads(runs * methods.size());

    Path dataDir = opt.dataDir(bench);
    Benchmark.Source source;
    try {
      source = bench.open(dataDir, opt.valSplit == RunOptions.ValSplit.shared);
    } catch (IOException e) {
      throw new UsageError(e.getMessage(), e);
    }
    Experiment exp = new Experiment(source, methods, runs, opt.seed0, threads)
        .recording(new arm.method.Recording(!opt.noFigures, opt.gradientSamples));
    ContinualData probe;
    try {
      probe = exp.data(opt.seed0, false);
    } catch (IllegalArgumentException e) {
      throw new UsageError(bench.title + " data in " + dataDir + " does not fit the protocol: " + e.getMessage(), e);
    }

    Path out = opt.out != null ? opt.out
        : RunOptions.home().resolve("results")
            .resolve(tag + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    Environment env = Environment.detect(device == null ? "cpu" : device);
    Map<String, Object> config = config(command, bench, opt, dataDir, out, methods, runs, threads, probe);
    echo(ctx.out(), config, env);

    Results results;
    try {
      results = new Results(out, config, env, methods.stream().map(Method::name).toList(), bench.paper,
          memory(methods, probe));
    } catch (IOException e) {
      throw new UsageError("cannot write to output folder " + out + ": " + e.getMessage(), e);
    }
    long start = System.nanoTime();
    try (Progress progress = new Progress(tag, exp.totalIterations(), ctx.err(), Progress.isTerminal())) {
      exp.run(results, progress);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ctx.err().println("arm: interrupted; finished runs are in " + out);
      return Main.EXIT_RUN_FAILED;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Table.print(ctx.out(), bench, results.summary(), runs, threads);
    ctx.out().printf(Locale.ROOT, "%nTotal wall time %.1f s. Results: %s (results.json, runs.csv, summary.csv)%n",
        seconds, out);
    if (!opt.noFigures) report(ctx, out);
    List<Results.Failure> failures = results.failures();
    if (!failures.isEmpty()) {
      ctx.err().println("arm: " + failures.size() + " run(s) failed:");
      for (Results.Failure f : failures)
        ctx.err().println("  " + f.method() + " run " + f.run() + " (seed " + f.seed() + "): " + f.error());
      return Main.EXIT_RUN_FAILED;
    }
    return 0;
  }

  /** Figures and report.md from the saved folder (as `arm plot` draws them); never fails the run. */
  private static void report(Main.Context ctx, Path out) {
    try {
      arm.report.Report.Written w = arm.report.Report.write(out, false);
      for (String section : w.gradientTables()) ctx.out().print("\n" + section);
      ctx.out().printf("%nReport: %s (%d figures in %s)%n", w.report(), w.figures().size(), out.resolve("figures"));
    } catch (java.io.IOException | RuntimeException e) {
      ctx.err().println("arm: could not draw the figures (the results are saved; retry with `arm plot "
          + out + "`): " + e);
    }
  }

  /**
   * Creates every method with its options; a bad name or option is a {@link UsageError}. Options
   * are "KEY=VALUE" (every method) or "METHOD:KEY=VALUE" (that method only).
   */
  static List<Method> configure(
      MethodFactory factory, String dataset, List<String> names, List<String> options, Map<String, String> extra) {
    List<String> canonical = new ArrayList<>();
    for (String n : names) {
      String c;
      try {
        c = Methods.canonical(n.trim());
      } catch (IllegalArgumentException e) {
        throw new UsageError(e.getMessage());
      }
      if (canonical.contains(c)) throw new UsageError("method " + c + " is listed twice");
      canonical.add(c);
    }
    Map<String, Map<String, String>> perMethod = new LinkedHashMap<>();
    for (String c : canonical) perMethod.put(c, new LinkedHashMap<>(extra));
    for (String o : options) {
      int eq = o.indexOf('=');
      if (eq <= 0) throw new UsageError("option '" + o + "' is not KEY=VALUE or METHOD:KEY=VALUE");
      String key = o.substring(0, eq), value = o.substring(eq + 1);
      int colon = key.indexOf(':');
      if (colon < 0) {
        for (Map<String, String> m : perMethod.values()) m.put(key, value);
      } else {
        String target;
        try {
          target = Methods.canonical(key.substring(0, colon));
        } catch (IllegalArgumentException e) {
          throw new UsageError("option '" + o + "': " + e.getMessage());
        }
        // "ER:KEY=V" reaches every selected ER row (ER-50, ER-25); "ER-50:KEY=V" only that one
        List<String> hit = perMethod.keySet().stream()
            .filter(k -> k.equals(target) || Methods.base(k).equals(target)).toList();
        if (hit.isEmpty())
          throw new UsageError("option '" + o + "' is for " + target + ", which is not selected");
        for (String k : hit) perMethod.get(k).put(key.substring(colon + 1), value);
      }
    }
    List<Method> methods = new ArrayList<>();
    for (var e : perMethod.entrySet()) {
      try {
        methods.add(factory.create(e.getKey(), dataset, e.getValue()));
      } catch (IllegalArgumentException ex) {
        throw new UsageError(e.getKey() + ": " + ex.getMessage());
      }
    }
    // "ER" with mem=50 and "ER-50" are the same row; results key on the name
    java.util.Set<String> rowNames = new java.util.HashSet<>();
    for (Method m : methods)
      if (!rowNames.add(m.name())) throw new UsageError("method " + m.name() + " is listed twice");
    return methods;
  }

  /** Each method's extra memory for the table ({@link MemoryCost}); unknown methods are left out. */
  private static Map<String, MemoryCost> memory(List<Method> methods, ContinualData probe) {
    Map<String, MemoryCost> out = new LinkedHashMap<>();
    for (Method m : methods) {
      MemoryCost c = MemoryCost.of(m, probe);
      if (c != null) out.put(m.name(), c);
    }
    return out;
  }

  private static Map<String, Object> config(
      String command, Benchmark bench, RunOptions opt, Path dataDir, Path out, List<Method> methods, int runs,
      int threads, ContinualData d) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("command", command);
    c.put("started", java.time.OffsetDateTime.now().withNano(0).toString());
    c.put("dataset", bench.title);
    c.put("data", dataDir.toAbsolutePath().toString());
    c.put("out", out.toAbsolutePath().toString());
    c.put("methods", methods.stream().map(Method::name).toList());
    Map<String, Object> options = new LinkedHashMap<>();
    for (Method m : methods) options.put(m.name(), m.options());
    c.put("options", options);
    c.put("runs", runs);
    c.put("seeds", java.util.stream.LongStream.range(opt.seed0, opt.seed0 + runs).boxed().toList());
    c.put("threads", threads);
    c.put("valSplit", bench.hasValSplitChoice() ? opt.valSplit.name() : "deterministic");
    c.put("trainSize", d.train().size());
    c.put("valSize", d.val().size());
    c.put("testSize", d.test().size());
    c.put("tasks", d.numTasks());
    c.put("batchSize", d.batchSize());
    c.put("iterations", d.numBatches());
    c.put("batchesPerTask", d.batchesPerTask());
    c.put("gradientSamples", opt.gradientSamples);
    return c;
  }

  private static void echo(PrintStream out, Map<String, Object> c, Environment env) {
    out.printf("arm %s: %s, %s tasks, train %s / val %s / test %s, batch %s, %s iterations per run%n",
        c.get("command"), c.get("dataset"), c.get("tasks"), c.get("trainSize"), c.get("valSize"),
        c.get("testSize"), c.get("batchSize"), c.get("iterations"));
    out.printf("  data     %s%n", c.get("data"));
    out.printf("  runs     %s per method, seeds %s (run r of every method sees the same data)%n",
        c.get("runs"), c.get("seeds"));
    out.printf("  threads  %s (runs in parallel, each single-threaded)%n", c.get("threads"));
    out.printf("  val      %s split%s%n", c.get("valSplit"),
        "advanced".equals(c.get("valSplit")) ? " (as the authors' code; ARM-SPEC D11)"
            : "deterministic".equals(c.get("valSplit")) ? " (the last 250 per class; disjoint)" : " (disjoint)");
    out.printf("  output   %s%n", c.get("out"));
    out.printf("  engine   %s%n", env.engine());
    if (!env.device().equals("cpu")) out.printf("  device   %s %s%n", env.device(), env.deviceInfo());
    out.printf("  JDK      %s (%s), CPU %s, %d cores%n", env.jdk(), env.jdkVendor(), env.cpu(), env.cores());
    @SuppressWarnings("unchecked")
    Map<String, Map<String, String>> options = (Map<String, Map<String, String>>) c.get("options");
    for (var e : options.entrySet())
      out.printf("  %-10s %s%n", e.getKey(), e.getValue().isEmpty() ? "(defaults)" : format(e.getValue()));
    out.println();
    out.flush();
  }

  private static String format(Map<String, String> m) {
    StringBuilder sb = new StringBuilder();
    for (var e : m.entrySet()) sb.append(sb.length() == 0 ? "" : " ").append(e.getKey()).append('=').append(e.getValue());
    return sb.toString();
  }
}

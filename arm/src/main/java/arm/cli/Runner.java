package arm.cli;

import arm.data.ContinualData;
import arm.io.CheckpointStore;
import arm.io.FileFormatException;
import arm.io.OutputLock;
import arm.io.Provenance;
import arm.io.RegularFile;
import arm.io.ResultsJson;
import arm.kernels.cpu.LinearEval;
import arm.method.MemoryCost;
import arm.method.Method;
import arm.method.Methods;
import arm.report.Report;
import arm.run.Background;
import arm.run.Defaults;
import arm.run.Recording;
import arm.run.Warmup;
import arm.sweep.RunFolder;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * What {@code reproduce} and {@code train} have in common: configure the methods (rejecting bad
 * options before anything runs), load the benchmark's data, echo the configuration, run, print the
 * table. With {@code --resume DIR} the configuration comes from DIR/results.json instead and every
 * run continues from its checkpoint (docs/ROBUSTNESS.md).
 */
final class Runner {
    private Runner() {}

    /** Everything a command runs, from the command line or from the results.json it resumes. */
    record Plan(
            Benchmark bench,
            String command,
            String tag,
            List<Method> methods,
            int runs,
            long seed0,
            Map<String, Long> firstSeeds,
            RunOptions.ValSplit valSplit,
            RunOptions.Stream stream,
            Path dataDir,
            Integer samplesPerClass,
            Integer firstTasks,
            Recording recording,
            String device,
            Path out,
            boolean resume,
            int checkpointEvery,
            int logEvery,
            int threads,
            Map<String, Object> previousConfig,
            boolean keepCheckpoints) {}

    /**
     * A fresh command.
     *
     * @param command "reproduce mnist" or "train", for messages and results.json
     * @param tag output folder prefix, e.g. "mnist"
     * @param names method names as typed
     * @param extra options from elsewhere on the command line (train's --KEY VALUE), for all
     * @return the exit code
     */
    static int execute(
            Main.Context ctx,
            RunOptions opt,
            Benchmark bench,
            String command,
            String tag,
            List<String> names,
            Map<String, String> extra,
            int runs) {
        if (runs < 1) throw new UsageError("--runs must be at least 1, got " + runs);
        if (runs > RunOptions.MAX_RUNS)
            throw new UsageError(
                    "--runs "
                            + runs
                            + " is more than "
                            + RunOptions.MAX_RUNS
                            + " runs per method (results.json is rewritten after each); split them"
                            + " over several --out folders with --seed0");
        RunOptions.folder("--out", opt.out);
        if (names.isEmpty()) throw new UsageError("no method given");
        if (opt.gradientSamples < 0)
            throw new UsageError(
                    "--gradient-samples must be at least 0, got " + opt.gradientSamples);
        String device = opt.device();
        if (device != null) {
            extra = new LinkedHashMap<>(extra);
            extra.put("device", device);
        }
        List<String> options = new ArrayList<>(opt.options);
        Map<String, Long> firstSeeds =
                authorsRuns(opt, bench, command.startsWith("reproduce"), names, options);
        List<Method> methods = configure(ctx.factory(), bench.dataset, names, options, extra);
        Path out =
                opt.out != null
                        ? opt.out
                        : RunOptions.home()
                                .resolve("results")
                                .resolve(
                                        tag
                                                + "-"
                                                + LocalDateTime.now()
                                                        .format(
                                                                DateTimeFormatter.ofPattern(
                                                                        "yyyyMMdd-HHmmss")));
        Integer spc = opt.samplesPerClass;
        if (spc != null && spc < 1)
            throw new UsageError("--samples-per-class must be at least 1, got " + spc);
        return execute(
                ctx,
                new Plan(
                        bench,
                        command,
                        tag,
                        methods,
                        runs,
                        opt.seed0 != null ? opt.seed0 : 0,
                        firstSeeds,
                        opt.valSplit,
                        opt.stream,
                        opt.dataDir(bench),
                        spc,
                        opt.tasks(),
                        new Recording(!opt.noFigures, opt.gradientSamples),
                        device,
                        out,
                        false,
                        opt.checkpointEvery(),
                        opt.logEvery(device),
                        opt.threads(runs * methods.size()),
                        null,
                        opt.keepCheckpoints));
    }

    /**
     * With rng = authors ({@link RunOptions#rng}): puts "METHOD:rng=authors" before the user's
     * options for each method of the authors' code and, unless --seed0 was given, returns their
     * first run ids (commands.txt); ER rows keep our streams in a reproduction and are refused in
     * train.
     */
    private static Map<String, Long> authorsRuns(
            RunOptions opt,
            Benchmark bench,
            boolean reproduce,
            List<String> names,
            List<String> options) {
        Map<String, Long> first = new LinkedHashMap<>();
        if (!opt.rng(bench, reproduce).equals("authors")) return first;
        List<String> mine = new ArrayList<>();
        for (String n : names) {
            String c = canonical(n);
            Long id = Defaults.authorsFirstRunId(c, bench.dataset);
            if (id == null && !reproduce)
                throw new UsageError(
                        c
                                + " is not in the ARM authors' code; --rng authors is for Naive,"
                                + " Stationary, Distill, ADI and ARM");
            if (id == null) continue;
            mine.add(c + ":rng=authors");
            if (opt.seed0 == null) first.put(c, id);
        }
        options.addAll(0, mine);
        return first;
    }

    /**
     * Continues the command whose results folder is {@code dir}: its settings come from
     * dir/results.json; finished runs are kept, the others continue from their last checkpoint (or
     * start, if they have none). Only --data, --threads and --checkpoint-every may be given again.
     */
    static int resume(Main.Context ctx, RunOptions opt, Path dir) {
        RunOptions.folder("--resume", dir);
        Path file = dir.resolve("results.json");
        if (!RegularFile.present(file))
            throw new UsageError("nothing to resume in " + dir + ": it has no results.json");
        String problem = RegularFile.problem(file);
        if (problem != null) throw new UsageError("cannot resume: " + file + " is " + problem);
        ResultsJson.Doc doc;
        try {
            doc = ResultsJson.read(file);
        } catch (IOException e) {
            throw new UsageError("cannot resume: " + e.getMessage(), e);
        }
        ResultsJson.Config c = doc.config();
        if (finished(doc, dir)) {
            ctx.out()
                    .printf(
                            "Nothing to resume: every run in %s has finished (results.json,"
                                    + " runs.csv and summary.csv are complete; its checkpoints were"
                                    + " removed).%n",
                            dir);
            return 0;
        }
        Benchmark bench = Benchmark.of(c.raw().get("benchmark"), c.raw().get("dataset"));
        if (bench == null)
            throw new UsageError(
                    "cannot resume "
                            + file
                            + ": config.benchmark names no benchmark of this build");
        List<Method> methods = new ArrayList<>();
        for (String m : c.methods()) {
            try {
                Map<String, String> saved = c.options().get(m);
                Method made = ctx.factory().create(m, bench.dataset, saved);
                Map<String, String> asWritten =
                        CheckpointStore.asWritten(saved, made.options().keySet());
                methods.add(
                        asWritten.equals(saved)
                                ? made
                                : ctx.factory().create(m, bench.dataset, asWritten));
            } catch (IllegalArgumentException e) {
                throw new UsageError(
                        "cannot resume " + file + ": method " + m + ": " + e.getMessage());
            }
        }
        long seed0 = c.seeds().get(0);
        for (int r = 0; r < c.runs(); r++)
            if (c.seeds().get(r) != seed0 + r)
                throw new UsageError(
                        file
                                + ": config.seeds are not consecutive ("
                                + c.seeds()
                                + "); cannot resume");
        Map<String, Long> firstSeeds = new LinkedHashMap<>();
        if (c.raw().get("runIds") instanceof Map<?, ?> ids)
            for (var e : ids.entrySet()) {
                if (!(e.getValue() instanceof List<?> l)
                        || l.size() != c.runs()
                        || !(l.get(0) instanceof Number first))
                    throw new UsageError(
                            file
                                    + ": config.runIds."
                                    + e.getKey()
                                    + " is not a list of "
                                    + c.runs()
                                    + " run ids");
                for (int r = 0; r < l.size(); r++)
                    if (!(l.get(r) instanceof Number v) || v.longValue() != first.longValue() + r)
                        throw new UsageError(
                                file
                                        + ": config.runIds."
                                        + e.getKey()
                                        + " are not consecutive ("
                                        + l
                                        + "); cannot resume");
                firstSeeds.put(String.valueOf(e.getKey()), first.longValue());
            }
        Path data = opt.data != null ? opt.data : Path.of(c.data());
        Integer spc = c.samplesPerClass();
        Object ft = c.raw().get("firstTasks");
        if (ft != null && !(ft instanceof Integer n && n >= 2))
            throw new UsageError(
                    "cannot resume " + file + ": config.firstTasks " + ft + " is not a number ≥ 2");
        int every =
                opt.checkpointEvery != null
                        ? opt.checkpointEvery()
                        : c.raw().get("checkpointEvery") instanceof Integer k && k >= 0
                                ? k
                                : 0; // keep the command's interval
        RunOptions.ValSplit split =
                c.valSplit().equals("shared")
                        ? RunOptions.ValSplit.shared
                        : RunOptions.ValSplit.advanced;
        RunOptions.Stream stream = streamOf(c.raw().get("stream"), file);
        // what the runs record is part of their state: the command's choice, never a new one
        Recording recording =
                new Recording(
                        !Boolean.FALSE.equals(c.raw().get("figures")),
                        c.raw().get("gradientSamples") instanceof Integer g && g >= 0 ? g : 0);
        String device =
                methods.stream()
                        .map(m -> m.options().get("device"))
                        .filter(d -> d != null && !d.equals("cpu"))
                        .findFirst()
                        .orElse(null);
        int logEvery =
                opt.logEvery != null
                        ? opt.logEvery(device)
                        : c.raw().get("logEvery") instanceof Integer k && k >= 0
                                ? k
                                : opt.logEvery(device); // keep the command's K
        return execute(
                ctx,
                new Plan(
                        bench,
                        c.command(),
                        "",
                        methods,
                        c.runs(),
                        seed0,
                        firstSeeds,
                        split,
                        stream,
                        data,
                        spc,
                        (Integer) ft,
                        recording,
                        device,
                        dir,
                        true,
                        every,
                        logEvery,
                        opt.threads(c.runs() * methods.size(), device),
                        c.raw(),
                        opt.keepCheckpoints
                                || Boolean.TRUE.equals(c.raw().get("keepCheckpoints"))));
    }

    /**
     * Whether a results folder's command finished: results.json lists every run of every method,
     * none failed, and the checkpoints are gone (removed at the end, {@link
     * CheckpointStore#prune}). With checkpoints still there (--keep-checkpoints) resume goes
     * through them as usual.
     */
    private static boolean finished(ResultsJson.Doc doc, Path dir) {
        try {
            if (!doc.failures().isEmpty() || !new CheckpointStore(dir, 0, "").isEmpty())
                return false;
        } catch (IOException e) {
            return false;
        }
        Set<String> done = new HashSet<>();
        for (ResultsJson.Run r : doc.runs()) done.add(r.method() + "/" + r.run());
        for (String m : doc.config().methods())
            for (int r = 0; r < doc.config().runs(); r++)
                if (!done.contains(m + "/" + r)) return false;
        return true;
    }

    /**
     * A fresh command writes only into a new or empty folder, or one of ours: a folder that holds
     * our lock file, {@link OutputLock#NAME}, which every command creates there first. Someone's
     * own results.json is never overwritten. {@code arm run-one}'s note ({@link
     * arm.sweep.RunFolder#STATE}) does not make a folder non-empty: a sweep writes it before the
     * run's first command.
     */
    private static void checkFreshFolder(Path out, boolean locked) throws IOException {
        if (!Files.isDirectory(out))
            return; // absent (created), or a file in the way (the lock says so)
        List<String> entries;
        try (Stream<Path> s = Files.list(out)) {
            entries =
                    s.map(f -> f.getFileName().toString())
                            .filter(n -> !n.equals(OutputLock.NAME) && !n.equals(RunFolder.STATE))
                            .toList();
        }
        if (entries.isEmpty()) return;
        if (!Files.exists(out.resolve(OutputLock.NAME), LinkOption.NOFOLLOW_LINKS))
            throw new UsageError(
                    "--out "
                            + out
                            + " is not empty and is not an arm results folder (it has no "
                            + OutputLock.NAME
                            + "); choose a new or empty folder");
        if (locked)
            throw new UsageError(
                    "output folder "
                            + out
                            + " already holds the results of an earlier command;"
                            + " continue it with --resume "
                            + out
                            + ", or choose another --out");
    }

    /** The --stream a results.json recorded ("arm" when it predates the field). */
    private static RunOptions.Stream streamOf(Object v, Path file) {
        if (v == null) return RunOptions.Stream.arm;
        for (RunOptions.Stream s : RunOptions.Stream.values()) if (s.name().equals(v)) return s;
        throw new UsageError(
                "cannot resume "
                        + file
                        + ": config.stream '"
                        + v
                        + "' is none of arm, shuffled, mir");
    }

    private static int execute(Main.Context ctx, Plan p) {
        // a warm-up started with the JVM (train, -Darm.warmup=N) runs beside one MNIST run on the
        // CPU only: the sparse evaluation below changes what a warm-up iteration touches
        if (!p.bench().mnistProtocol()
                || (p.device() != null && !p.device().equals("cpu"))
                || p.methods().size() * p.runs() >= SPARSE_EVAL_MIN_RUNS) Warmup.stopEarly();
        sparseEvaluation(p.methods().size() * p.runs());
        try (Warmup w = warmup(p)) {
            return executeRuns(ctx, p);
        }
    }

    /**
     * The MLP evaluation's zero-skipping first layer (same bits as the dense one) pays for its
     * compilation only in a JVM of two or more runs: in one MNIST run it and the held weight packs
     * together cost wall 7.3 → 8.0 s, CPU 11.4 → 13.2 s (median of 5), while in {@code reproduce
     * mnist}'s 45 runs both save 0.92× of its wall time (docs/BENCHMARKS.md, MNIST section). The
     * held packs alone pay in one run too, so they stay at CpuGemm's default (on; {@code
     * -Darm.gemm.hold=false} turns them off). {@code -Darm.evalSparse} set by hand wins.
     */
    static void sparseEvaluation(int runs) {
        if (System.getProperty("arm.evalSparse") == null)
            LinearEval.sparse(runs >= SPARSE_EVAL_MIN_RUNS);
    }

    /** Runs in one JVM from which {@link #sparseEvaluation} turns the zero-skipping layer on. */
    static final int SPARSE_EVAL_MIN_RUNS = 2;

    /**
     * MNIST on the CPU: the kernels warmed up on random data while the data loads (ARM's iteration
     * when ARM is among the methods, else the first method's).
     */
    private static Warmup warmup(Plan p) {
        if (!p.bench().mnistProtocol() || (p.device() != null && !p.device().equals("cpu")))
            return Warmup.none();
        Method m =
                p.methods().stream()
                        .filter(x -> x.name().equals("ARM"))
                        .findFirst()
                        .orElse(p.methods().get(0));
        return Warmup.mnist(m);
    }

    private static int executeRuns(Main.Context ctx, Plan p) {
        List<Method> methods = p.methods();
        Benchmark bench = p.bench();
        Path dataDir = p.dataDir();
        DatasetProvider.Source source;
        try {
            source =
                    bench.open(
                            dataDir,
                            p.valSplit() == RunOptions.ValSplit.shared,
                            p.samplesPerClass(),
                            p.stream());
        } catch (IOException e) {
            throw new UsageError(e.getMessage(), e);
        }
        if (p.firstTasks() != null) source = firstTasks(source, p.firstTasks());
        Environment env = Environment.detect(p.device() == null ? "cpu" : p.device());
        CheckpointStore store =
                new CheckpointStore(
                        p.out(), p.checkpointEvery(), Environment.numerics(env.device()));
        Experiment exp =
                new Experiment(
                                source,
                                methods,
                                p.runs(),
                                p.seed0(),
                                p.firstSeeds(),
                                p.threads(),
                                store,
                                p.resume())
                        .recording(p.recording())
                        .logEvery(p.logEvery());
        ContinualData probe;
        try {
            probe = exp.data(p.seed0(), false);
        } catch (IllegalArgumentException e) {
            throw new UsageError(
                    bench.title
                            + " data in "
                            + dataDir
                            + " does not fit the protocol: "
                            + e.getMessage(),
                    e);
        }
        Path out = p.out();
        store.keepTaskEnds(p.keepCheckpoints());
        try {
            if (!p.resume()) checkFreshFolder(out, false);
        } catch (IOException e) {
            throw new UsageError("output folder " + out + ": " + e.getMessage(), e);
        }
        try (OutputLock lock = OutputLock.acquire(out);
                Interrupted hook = Interrupted.install(ctx, p)) {
            if (!p.resume() && !store.isEmpty())
                throw new UsageError(
                        "output folder "
                                + out
                                + " already holds checkpoints of an earlier command;"
                                + " continue it with --resume "
                                + out
                                + ", or choose another --out");
            if (!p.resume()) checkFreshFolder(out, true);
            Map<String, Object> config =
                    p.previousConfig() != null
                            ? resumedConfig(
                                    p.previousConfig(),
                                    p.threads(),
                                    p.checkpointEvery(),
                                    p.logEvery(),
                                    p.keepCheckpoints())
                            : config(p.command(), p, dataDir, out, methods, probe);
            echo(ctx.out(), config, env);
            if (p.resume())
                ctx.out()
                        .printf(
                                "Resuming %s: finished runs are kept, the others continue from"
                                        + " their checkpoints.%n%n",
                                out);

            Results results;
            try {
                results =
                        new Results(
                                out,
                                config,
                                env,
                                methods.stream().map(Method::name).toList(),
                                bench.paper,
                                memory(methods, probe),
                                provenance(ctx, out, p.resume(), env),
                                !p.resume());
            } catch (IOException | UncheckedIOException e) {
                throw new UsageError(
                        "cannot write to output folder " + out + ": " + e.getMessage(), e);
            }
            long start = System.nanoTime();
            try (Progress progress =
                    new Progress(
                            p.tag().isEmpty() ? "resume" : p.tag(),
                            exp.totalIterations(),
                            ctx.err(),
                            Progress.isTerminal())) {
                exp.run(results, progress);
            } catch (InterruptedException e) {
                results.awaitWrites(); // the rewrite for the last finished run, if in flight
                Thread.currentThread().interrupt();
                ctx.err()
                        .println(
                                "arm: interrupted; finished runs are in "
                                        + out
                                        + "; continue with: "
                                        + Interrupted.launcher()
                                        + " "
                                        + verb(p)
                                        + " --resume "
                                        + out);
                return Main.EXIT_RUN_FAILED;
            }
            results.finish();
            double seconds = (System.nanoTime() - start) / 1e9;
            Table.print(ctx.out(), bench, results.summary(), p.runs(), p.threads(), p.firstTasks());
            ctx.out()
                    .printf(
                            Locale.ROOT,
                            "%nTotal wall time %.1f s. Results: %s (results.json, runs.csv,"
                                    + " summary.csv)%n",
                            seconds,
                            out);
            // a finished command's checkpoints are removed while the report draws (it reads the
            // results folder, never the checkpoints): ~0.3-0.5 s on one thread otherwise
            Pruning pruning =
                    results.failures().isEmpty()
                                    && results.writeError() == null
                                    && !p.keepCheckpoints()
                            ? Pruning.start(store)
                            : null;
            try {
                if (p.recording().recall()) report(ctx, out);
            } finally {
                if (pruning != null) pruning.await();
            }
            int code = 0;
            List<Results.Failure> failures = results.failures();
            if (!failures.isEmpty()) {
                for (Results.Failure f : failures)
                    ctx.err()
                            .println(
                                    "arm: "
                                            + f.method()
                                            + " run "
                                            + f.run()
                                            + " (seed "
                                            + f.seed()
                                            + ") failed: "
                                            + Errors.oneLine(f.error()));
                ctx.err()
                        .println(
                                "checkpoints in "
                                        + store.dir()
                                        + "; once the cause is fixed, continue with: "
                                        + Interrupted.launcher()
                                        + " "
                                        + verb(p)
                                        + " --resume "
                                        + out);
                code = Main.EXIT_RUN_FAILED;
            }
            if (results.writeError() != null) {
                ctx.err().println("arm: " + Errors.oneLine(results.writeError()));
                ctx.err()
                        .println(
                                "the checkpoints in "
                                        + store.dir()
                                        + " are intact; free space or fix the folder, then"
                                        + " continue with: "
                                        + Interrupted.launcher()
                                        + " "
                                        + verb(p)
                                        + " --resume "
                                        + out);
                code = Main.EXIT_RUN_FAILED;
            }
            if (pruning != null) pruned(ctx, store, pruning);
            return code;
        } catch (IOException e) {
            throw new UsageError("output folder " + out + ": " + e.getMessage(), e);
        }
    }

    /**
     * This command's provenance; a resume keeps the original's from results.json and is appended to
     * its "resumes" (docs/ROBUSTNESS.md).
     */
    private static Provenance.History provenance(
            Main.Context ctx, Path out, boolean resume, Environment env) {
        Provenance now = Provenance.start(Provenance.build(), ctx.args(), env.cpu());
        if (!resume) return new Provenance.History(now, List.of());
        return Provenance.read(out.resolve("results.json")).resumedBy(now);
    }

    /** "reproduce" or "train": the command that continues p with --resume. */
    static String verb(Plan p) {
        return p.command() != null && p.command().startsWith("reproduce") ? "reproduce" : "train";
    }

    /** {@link CheckpointStore#prune} on a thread of its own: the bytes freed or its failure. */
    private static final class Pruning {
        private final Future<?> done;
        private volatile long freed;
        private volatile Exception failure;

        private Pruning(CheckpointStore store) {
            ExecutorService thread = Background.thread("arm-prune");
            done =
                    thread.submit(
                            () -> {
                                try {
                                    freed = store.prune();
                                } catch (IOException | RuntimeException e) {
                                    failure = e;
                                }
                            });
            thread.shutdown();
        }

        static Pruning start(CheckpointStore store) {
            return new Pruning(store);
        }

        /** Waits until the checkpoints are gone (or the removal failed), through interrupts. */
        void await() {
            Background.await(done);
        }
    }

    /**
     * Says what removing a finished command's checkpoints did; a failure only leaves them there.
     */
    private static void pruned(Main.Context ctx, CheckpointStore store, Pruning pruning) {
        pruning.await();
        try {
            if (pruning.failure != null) throw pruning.failure;
            long freed = pruning.freed;
            if (freed > 0)
                ctx.out()
                        .printf(
                                Locale.ROOT,
                                "Checkpoints removed (%.1f MB): every run finished;"
                                        + " --keep-checkpoints keeps them.%n",
                                freed / 1e6);
        } catch (Exception e) {
            ctx.err()
                    .println(
                            "arm: note: could not remove the checkpoints in "
                                    + store.dir()
                                    + " ("
                                    + FileFormatException.oneLine(String.valueOf(e.getMessage()))
                                    + "); the results are complete");
        }
    }

    /**
     * Figures and report.md from the saved folder (as `arm plot` draws them); never fails the run.
     */
    private static void report(Main.Context ctx, Path out) {
        try {
            Report.Written w = Report.write(out, false);
            for (String section : w.gradientTables()) ctx.out().print("\n" + section);
            ctx.out()
                    .printf(
                            "%nReport: %s (%d figures in %s)%n",
                            w.report(), w.figures().size(), out.resolve("figures"));
        } catch (IOException | RuntimeException e) {
            ctx.err()
                    .println(
                            "arm: could not draw the figures (the results are saved; retry with"
                                    + " `arm plot "
                                    + out
                                    + "`): "
                                    + e);
        }
    }

    private static Map<String, Object> resumedConfig(
            Map<String, Object> previous, int threads, int every, int logEvery, boolean keep) {
        Map<String, Object> c = new LinkedHashMap<>(previous);
        List<Object> resumed = new ArrayList<>();
        if (previous.get("resumed") instanceof List<?> l) resumed.addAll(l);
        resumed.add(OffsetDateTime.now().withNano(0).toString());
        c.put("resumed", resumed);
        c.put("threads", threads);
        c.put("checkpointEvery", every);
        c.put("logEvery", logEvery);
        if (keep) c.put("keepCheckpoints", true);
        return c;
    }

    /** A method name as typed → its canonical name; an unknown one is a {@link UsageError}. */
    private static String canonical(String typed) {
        try {
            return Methods.canonical(typed.trim());
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
    }

    /**
     * Creates every method with its options; a bad name or option is a {@link UsageError}. Options
     * are "KEY=VALUE" (every method) or "METHOD:KEY=VALUE" (that method only).
     */
    static List<Method> configure(
            MethodFactory factory,
            String dataset,
            List<String> names,
            List<String> options,
            Map<String, String> extra) {
        List<String> canonical = new ArrayList<>();
        for (String n : names) {
            String c = canonical(n);
            if (canonical.contains(c)) throw new UsageError("method " + c + " is listed twice");
            canonical.add(c);
        }
        Map<String, Map<String, String>> perMethod = new LinkedHashMap<>();
        for (String c : canonical) perMethod.put(c, new LinkedHashMap<>(extra));
        for (String o : options) {
            int eq = o.indexOf('=');
            if (eq <= 0)
                throw new UsageError("option '" + o + "' is not KEY=VALUE or METHOD:KEY=VALUE");
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
                // "ER:KEY=V" reaches every selected ER row (ER-50, ER-25); "ER-50:KEY=V" only that
                // one
                List<String> hit =
                        perMethod.keySet().stream()
                                .filter(k -> k.equals(target) || Methods.base(k).equals(target))
                                .toList();
                if (hit.isEmpty())
                    throw new UsageError(
                            "option '" + o + "' is for " + target + ", which is not selected");
                for (String k : hit) perMethod.get(k).put(key.substring(colon + 1), value);
            }
        }
        List<Method> methods = new ArrayList<>();
        for (var e : perMethod.entrySet()) {
            try {
                methods.add(factory.create(e.getKey(), dataset, e.getValue()));
            } catch (IllegalArgumentException ex) {
                String m = String.valueOf(ex.getMessage());
                throw new UsageError(
                        m.startsWith(e.getKey() + " ") || m.startsWith(e.getKey() + ":")
                                ? m
                                : e.getKey() + ": " + m);
            }
        }
        // "ER" with mem=50 and "ER-50" are the same row; results key on the name
        Set<String> rowNames = new HashSet<>();
        for (Method m : methods)
            if (!rowNames.add(m.name()))
                throw new UsageError("method " + m.name() + " is listed twice");
        return methods;
    }

    /**
     * Each method's extra memory for the table ({@link MemoryCost}); unknown methods are left out.
     */
    private static Map<String, MemoryCost> memory(List<Method> methods, ContinualData probe) {
        Map<String, MemoryCost> out = new LinkedHashMap<>();
        for (Method m : methods) {
            MemoryCost c = MemoryCost.of(m, probe);
            if (c != null) out.put(m.name(), c);
        }
        return out;
    }

    /** {@code source} with every run's data cut to its first {@code n} tasks (--tasks). */
    private static DatasetProvider.Source firstTasks(DatasetProvider.Source source, int n) {
        return new DatasetProvider.Source() {
            @Override
            public ContinualData data(long seed, boolean stationary) {
                return cut(source.data(seed, stationary));
            }

            @Override
            public ContinualData authors(long runId, boolean stationary, int mlpHidden) {
                return cut(source.authors(runId, stationary, mlpHidden));
            }

            private ContinualData cut(ContinualData d) {
                if (n > d.numTasks())
                    throw new UsageError(
                            "--tasks " + n + ": the benchmark has " + d.numTasks() + " tasks");
                return d.firstTasks(n);
            }
        };
    }

    private static Map<String, Object> config(
            String command, Plan p, Path dataDir, Path out, List<Method> methods, ContinualData d) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("command", command);
        c.put("started", OffsetDateTime.now().withNano(0).toString());
        c.put("benchmark", p.bench().name());
        c.put("dataset", p.bench().title);
        c.put("data", dataDir.toAbsolutePath().toString());
        c.put("out", out.toAbsolutePath().toString());
        c.put("methods", methods.stream().map(Method::name).toList());
        Map<String, Object> options = new LinkedHashMap<>();
        for (Method m : methods) options.put(m.name(), m.options());
        c.put("options", options);
        c.put("runs", p.runs());
        c.put("seeds", LongStream.range(p.seed0(), p.seed0() + p.runs()).boxed().toList());
        if (!p.firstSeeds().isEmpty()) {
            Map<String, Object> ids = new LinkedHashMap<>();
            for (var e : p.firstSeeds().entrySet())
                ids.put(
                        e.getKey(),
                        LongStream.range(e.getValue(), e.getValue() + p.runs()).boxed().toList());
            c.put("runIds", ids);
        }
        c.put("threads", p.threads());
        c.put(
                "valSplit",
                !p.bench().hasValSplitChoice()
                        ? "deterministic"
                        : p.stream() == RunOptions.Stream.mir ? "mir" : p.valSplit().name());
        if (p.samplesPerClass() != null) c.put("samplesPerClass", p.samplesPerClass());
        if (p.firstTasks() != null) c.put("firstTasks", p.firstTasks());
        if (p.bench() == Benchmark.mnist) c.put("stream", p.stream().name());
        c.put("checkpointEvery", p.checkpointEvery());
        c.put("logEvery", p.logEvery());
        if (p.keepCheckpoints()) c.put("keepCheckpoints", true);
        c.put("trainSize", d.train().size());
        c.put("valSize", d.val().size());
        c.put("testSize", d.test().size());
        c.put("tasks", d.numTasks());
        c.put("batchSize", d.batchSize());
        c.put("iterations", d.numBatches());
        c.put("batchesPerTask", d.batchesPerTask());
        c.put("gradientSamples", p.recording().gradientSamples());
        c.put("figures", p.recording().recall());
        return c;
    }

    private static void echo(PrintStream out, Map<String, Object> c, Environment env) {
        out.printf(
                "arm %s: %s, %s tasks, train %s / val %s / test %s, batch %s, %s iterations per"
                        + " run%n",
                c.get("command"),
                c.get("dataset"),
                c.get("tasks"),
                c.get("trainSize"),
                c.get("valSize"),
                c.get("testSize"),
                c.get("batchSize"),
                c.get("iterations"));
        out.printf("  data     %s%n", c.get("data"));
        boolean ownIds = c.get("runIds") instanceof Map<?, ?> m && !m.isEmpty();
        out.printf(
                "  runs     %s per method, seeds %s (%s)%n",
                c.get("runs"),
                c.get("seeds"),
                ownIds
                        ? "for the rows without run ids below"
                        : "run r of every method sees the same data");
        if (c.get("runIds") instanceof Map<?, ?> ids) {
            List<String> parts = new ArrayList<>();
            for (var e : ids.entrySet())
                if (e.getValue() instanceof List<?> l && !l.isEmpty())
                    parts.add(
                            e.getKey()
                                    + " "
                                    + l.get(0)
                                    + (l.size() > 1 ? "–" + l.get(l.size() - 1) : ""));
            out.printf(
                    "  run ids  %s: the authors' run ids and random streams (--rng authors)%n",
                    String.join(", ", parts));
        }
        out.printf("  threads  %s (runs in parallel)%n", c.get("threads"));
        out.printf(
                "  val      %s split%s%n",
                c.get("valSplit"),
                "advanced".equals(c.get("valSplit"))
                        ? " (as the authors' code; ALGORITHM.md §9 D11)"
                        : "deterministic".equals(c.get("valSplit"))
                                ? " (the last 250 per class; disjoint)"
                                : "mir".equals(c.get("valSplit"))
                                        ? " (the MIR code's: one split for every run; disjoint)"
                                        : " (disjoint)");
        if (c.get("stream") != null)
            out.printf(
                    "  stream   %s%s%n",
                    c.get("stream"),
                    switch (String.valueOf(c.get("stream"))) {
                        case "shuffled" -> " (the ARM code's samples, each task block shuffled)";
                        case "mir" ->
                                " (the MIR code's: a fresh shuffled 1,010 per task from a fixed"
                                        + " split)";
                        default -> " (the ARM code's)";
                    });
        out.printf("  output   %s%n", c.get("out"));
        out.printf("  engine   %s%n", env.engine());
        if (!env.device().equals("cpu"))
            out.printf("  device   %s %s%n", env.device(), env.deviceInfo());
        out.printf(
                "  JDK      %s (%s), CPU %s, %d cores%n",
                env.jdk(), env.jdkVendor(), env.cpu(), env.cores());
        @SuppressWarnings("unchecked")
        Map<String, Map<String, String>> options =
                (Map<String, Map<String, String>>) c.get("options");
        for (var e : options.entrySet())
            out.printf(
                    "  %-10s %s%n",
                    e.getKey(), e.getValue().isEmpty() ? "(defaults)" : format(e.getValue()));
        out.println();
        out.flush();
    }

    private static String format(Map<String, String> m) {
        StringBuilder sb = new StringBuilder();
        for (var e : m.entrySet())
            sb.append(sb.length() == 0 ? "" : " ")
                    .append(e.getKey())
                    .append('=')
                    .append(e.getValue());
        return sb.toString();
    }
}

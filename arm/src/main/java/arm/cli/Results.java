package arm.cli;

import arm.io.AtomicFile;
import arm.io.Provenance;
import arm.method.MemoryCost;
import arm.metrics.EvalPoint;
import arm.metrics.Metrics;
import arm.report.RunFiles;
import arm.run.Background;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * The output folder of one command: results.json, runs.csv and summary.csv, rewritten after every
 * finished (or failed) run, so a run that finished is never lost when a later one fails or the
 * process is killed. Files are replaced atomically (write to a temporary file, then move).
 *
 * <p>Units: the summary and the CSV files are in percent, as the paper reports; the per-run
 * histories in results.json are fractions in [0, 1], as the authors' pickles hold them. Values the
 * metrics do not define (forgetting before the third evaluation, per-task accuracy at t = 0,
 * anything per-task for the stationary baseline) are null.
 */
final class Results {

    /** Mean and population std in percent. */
    record Stat(double mean, double std) {
        static Stat percent(Metrics.Stat s) {
            return new Stat(100 * s.mean(), 100 * s.std());
        }
    }

    /** One line of the summary table. forgetting is null for the stationary baseline. */
    record Summary(
            String method,
            int runs,
            Stat accuracy,
            Stat forgetting,
            Stat valAccuracy,
            double secondsPerRun,
            PaperRef paper,
            MemoryCost memory) {}

    /** The paper's numbers for the same method (percent); null where it reports none. */
    record PaperRef(Stat accuracy, Stat forgetting) {
        static PaperRef of(Paper.Row r) {
            if (r == null) return null;
            return new PaperRef(
                    new Stat(r.acc(), r.accStd()),
                    Double.isNaN(r.forgetting())
                            ? null
                            : new Stat(r.forgetting(), r.forgettingStd()));
        }
    }

    record Failure(String method, int run, long seed, String error) {}

    private final Path dir;
    private final Map<String, Object> config;
    private final Environment environment;
    private final List<String> methodOrder;
    private final Map<String, Paper.Row> paper;
    private final Map<String, MemoryCost> memory;
    private final List<RunRecord> runs = new ArrayList<>();

    /** Per run: what results.json says about its side files (arm.report.RunFiles). */
    private final Map<RunRecord, Map<String, Object>> sideFiles = new IdentityHashMap<>();

    private final List<Failure> failures = new ArrayList<>();
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private boolean writing;
    private String writeError;

    /** The command's provenance and its resumes' (arm.io.Provenance); NONE writes none. */
    private Provenance.History provenance;

    /**
     * @param writeNow write the (empty) files at once; otherwise only from {@link #startWriting}
     *     on, so that resuming does not replace a results.json with a shorter one
     * @param provenance the command's provenance and its resumes' ({@link arm.io.Provenance})
     */
    Results(
            Path dir,
            Map<String, Object> config,
            Environment environment,
            List<String> methodOrder,
            Map<String, Paper.Row> paper,
            Map<String, MemoryCost> memory,
            Provenance.History provenance,
            boolean writeNow)
            throws IOException {
        this.dir = dir;
        this.provenance = provenance;
        this.memory = Map.copyOf(memory);
        this.config = config;
        this.environment = environment;
        this.methodOrder = methodOrder;
        this.paper = paper;
        Files.createDirectories(dir);
        if (writeNow) {
            writing = true;
            write();
        }
    }

    /** Marks the latest command finished now and rewrites the files (after any in flight). */
    void finish() {
        awaitWrites();
        synchronized (this) {
            if (provenance.latest() != null)
                provenance = provenance.withLatest(provenance.latest().finish());
            tryWrite();
        }
    }

    /**
     * Waits until the background rewrites handed over so far are on disk (milliseconds): before the
     * command's last write, and before it stops on an interrupt.
     */
    void awaitWrites() {
        Future<?> f;
        synchronized (this) {
            f = lastWrite;
        }
        Background.await(f); // backgroundWrite records its own failure
    }

    /** Writes the files now and after every change from here on. */
    synchronized void startWriting() {
        writing = true;
        tryWrite();
    }

    /** The first error met writing the files, or null; the files then hold the last good state. */
    synchronized String writeError() {
        return writeError;
    }

    Path dir() {
        return dir;
    }

    /**
     * Adds a finished run and rewrites the files; false if they could not be written (in the
     * background: false once a rewrite has failed).
     */
    synchronized boolean add(RunRecord r) {
        runs.add(r);
        sideFiles.put(r, writeSideFiles(r));
        return ASYNC ? writeLater() : tryWrite();
    }

    /**
     * The rewrites after each finished or failed run happen on a background thread, so that the run
     * threads go on while results.json, runs.csv and summary.csv are written and fsynced (six
     * fsyncs, tens of milliseconds, per run); rewrites asked for while one waits are one rewrite of
     * the newest state. A run's final checkpoint is on disk before it is added, so a kill before a
     * rewrite lands loses nothing: --resume collects the run from its checkpoint. {@code
     * -Darm.results.async=false} rewrites on the calling thread.
     */
    static final boolean ASYNC = !"false".equals(System.getProperty("arm.results.async"));

    private ExecutorService writer;

    /** The newest rewrite handed to the writer, and whether one is waiting to start. */
    private Future<?> lastWrite;

    private boolean queued;

    private boolean writeLater() {
        if (!writing) return true;
        if (!queued) {
            queued = true;
            if (writer == null) writer = Background.thread("arm-results");
            lastWrite = writer.submit(this::backgroundWrite);
        }
        return writeError == null;
    }

    /** One rewrite of the newest state: built under the lock, written outside it. */
    private void backgroundWrite() {
        Contents c;
        synchronized (this) {
            queued = false;
            c = contents();
        }
        try {
            c.store();
        } catch (RuntimeException e) {
            synchronized (this) {
                if (writeError == null) writeError = e.getMessage();
            }
        }
    }

    /** The run's recorded figures data beside results.json; a failure is noted, never fatal. */
    private Map<String, Object> writeSideFiles(RunRecord r) {
        try {
            return RunFiles.write(dir, r.method(), r.run(), r.result());
        } catch (IOException | RuntimeException e) {
            return Map.of("sideFilesError", e.toString());
        }
    }

    synchronized void fail(Failure f) {
        failures.add(f);
        if (ASYNC) writeLater();
        else tryWrite();
    }

    private boolean tryWrite() {
        if (!writing) return true;
        try {
            write();
            return true;
        } catch (UncheckedIOException e) {
            if (writeError == null) writeError = e.getMessage();
            return false;
        }
    }

    synchronized List<Failure> failures() {
        return List.copyOf(failures);
    }

    /** One summary row per method with at least one finished run, in the requested order. */
    synchronized List<Summary> summary() {
        List<Summary> out = new ArrayList<>();
        for (String m : methodOrder) {
            // in run order, not finishing order: the summary's sums are then the same bits
            // however the runs were scheduled
            List<RunRecord> rs =
                    runs.stream()
                            .filter(r -> r.method().equals(m))
                            .sorted(Comparator.comparingInt(RunRecord::run))
                            .toList();
            if (rs.isEmpty()) continue;
            boolean stationary = rs.get(0).stationary();
            double[] acc = rs.stream().mapToDouble(r -> r.test().finalAccuracy()).toArray();
            double[] fgt = rs.stream().mapToDouble(r -> r.test().finalForgetting()).toArray();
            double[] val = rs.stream().mapToDouble(r -> r.val().finalAccuracy()).toArray();
            double secs =
                    rs.stream().mapToDouble(RunRecord::wallSeconds).average().orElse(Double.NaN);
            out.add(
                    new Summary(
                            m,
                            rs.size(),
                            Stat.percent(Metrics.stat(acc)),
                            stationary ? null : Stat.percent(Metrics.stat(fgt)),
                            Stat.percent(Metrics.stat(val)),
                            secs,
                            PaperRef.of(paper.get(m)),
                            memory.get(m)));
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------

    private void write() {
        contents().store();
    }

    /** The files' contents at one moment (the lock held), written later by {@link #store}. */
    private final class Contents {
        private final Map<String, Object> root;
        private final String runsCsv, summaryCsv;

        Contents(Map<String, Object> root, String runsCsv, String summaryCsv) {
            this.root = root;
            this.runsCsv = runsCsv;
            this.summaryCsv = summaryCsv;
        }

        void store() {
            try {
                replace(dir.resolve("results.json"), json.writeValueAsString(root));
                replace(dir.resolve("runs.csv"), runsCsv);
                replace(dir.resolve("summary.csv"), summaryCsv);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write results: " + e.getMessage(), e);
            }
        }
    }

    private Contents contents() {
        List<RunRecord> sorted = new ArrayList<>(runs);
        sorted.sort(
                Comparator.comparingInt((RunRecord r) -> methodOrder.indexOf(r.method()))
                        .thenComparingInt(RunRecord::run));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("summary", summary());
        root.put(
                "units", "summary and CSV: percent; runs[].test/val histories: fractions in [0,1]");
        if (provenance.original() != null) {
            root.put("provenance", provenance.original().toJson());
            root.put("resumes", provenance.resumes().stream().map(Provenance::toJson).toList());
        }
        root.put("config", config);
        root.put("environment", environment);
        root.put(
                "runs",
                sorted.stream().map(r -> runJson(r, sideFiles.getOrDefault(r, Map.of()))).toList());
        root.put("failures", List.copyOf(failures));
        return new Contents(root, runsCsv(sorted), summaryCsv());
    }

    private static void replace(Path file, String text) throws IOException {
        AtomicFile.write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, Object> runJson(RunRecord r, Map<String, Object> sideFiles) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", r.method());
        m.put("run", r.run());
        m.put("seed", r.seed());
        m.put("stationary", r.stationary());
        m.put(
                "seconds",
                Map.of(
                        "wall",
                        r.wallSeconds(),
                        "train",
                        r.result().trainSeconds(),
                        "eval",
                        r.result().evalSeconds(),
                        "gradientStudy",
                        r.result().studySeconds()));
        m.put("test", splitJson(r.test(), r.result().evals(), true));
        m.put("val", splitJson(r.val(), r.result().evals(), false));
        m.putAll(sideFiles);
        return m;
    }

    private static Map<String, Object> splitJson(Metrics x, List<EvalPoint> evals, boolean test) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accuracy", num(x.finalAccuracy()));
        m.put("forgetting", num(x.finalForgetting()));
        m.put("t", x.t());
        List<List<Double>> perTask = new ArrayList<>();
        for (double[] row : x.perTask()) perTask.add(nums(row));
        m.put("perTaskAccuracy", perTask);
        m.put("averageAccuracy", nums(x.accuracy()));
        m.put("forgettingHistory", nums(x.forgetting()));
        m.put("pooledAccuracy", nums(x.pooled()));
        m.put(
                "perClassAccuracy",
                evals.stream().map(e -> test ? e.testPerClass() : e.valPerClass()).toList());
        return m;
    }

    private static Double num(double v) {
        return Double.isNaN(v) ? null : v;
    }

    private static List<Double> nums(double[] v) {
        List<Double> out = new ArrayList<>(v.length);
        for (double x : v) out.add(num(x));
        return out;
    }

    private static String runsCsv(List<RunRecord> rs) {
        StringBuilder sb =
                new StringBuilder(
                        "method,run,seed,test_accuracy_pct,test_forgetting_pct,val_accuracy_pct,val_forgetting_pct,wall_seconds,train_seconds,eval_seconds\n");
        for (RunRecord r : rs)
            sb.append(
                            String.join(
                                    ",",
                                    r.method(),
                                    Integer.toString(r.run()),
                                    Long.toString(r.seed()),
                                    pct(r.test().finalAccuracy()),
                                    pct(r.test().finalForgetting()),
                                    pct(r.val().finalAccuracy()),
                                    pct(r.val().finalForgetting()),
                                    fmt(r.wallSeconds()),
                                    fmt(r.result().trainSeconds()),
                                    fmt(r.result().evalSeconds())))
                    .append('\n');
        return sb.toString();
    }

    private String summaryCsv() {
        StringBuilder sb =
                new StringBuilder(
                        "method,runs,accuracy_mean,accuracy_std,forgetting_mean,forgetting_std,paper_accuracy,paper_accuracy_std,paper_forgetting,paper_forgetting_std,seconds_per_run\n");
        for (Summary s : summary()) {
            Paper.Row p = paper.get(s.method());
            sb.append(
                            String.join(
                                    ",",
                                    s.method(),
                                    Integer.toString(s.runs()),
                                    fmt(s.accuracy().mean()),
                                    fmt(s.accuracy().std()),
                                    s.forgetting() == null ? "" : fmt(s.forgetting().mean()),
                                    s.forgetting() == null ? "" : fmt(s.forgetting().std()),
                                    p == null ? "" : fmt(p.acc()),
                                    p == null ? "" : fmt(p.accStd()),
                                    p == null ? "" : fmt(p.forgetting()),
                                    p == null ? "" : fmt(p.forgettingStd()),
                                    fmt(s.secondsPerRun())))
                    .append('\n');
        }
        return sb.toString();
    }

    private static String pct(double v) {
        return fmt(100 * v);
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
    }
}

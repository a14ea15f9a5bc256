package arm.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a results.json written by {@code arm reproduce} / {@code arm train} back, for resuming and
 * for plots, checking every field it returns: types, ranges (accuracies in [0, 1], forgetting in
 * [−1, 1], null where the metrics define nothing), lengths (every history as long as its t list),
 * counts (seeds = runs). A problem is a one-line {@link FileFormatException} naming the field by
 * its path, e.g. "results.json: $.runs[2].test.t: 7 entries, at most 6 expected".
 */
public final class ResultsJson {
    /** Larger than any results.json we write by far (5 runs × 5 methods of MiniImageNet: ~2 MB). */
    public static final long MAX_BYTES = 256L << 20;

    static final int MAX_RUNS = 100_000, MAX_EVALS = 1_000_000, MAX_CLASSES = 100_000;

    private ResultsJson() {}

    /**
     * What a command ran: enough to run it again or continue it.
     *
     * @param options per method, its resolved options
     * @param samplesPerClass null when the file predates the field (then the paper's 500)
     * @param raw the whole config object as read, to be written back on resume
     */
    public record Config(
            String command,
            List<String> methods,
            Map<String, Map<String, String>> options,
            int runs,
            List<Long> seeds,
            String valSplit,
            String data,
            Integer samplesPerClass,
            Map<String, Object> raw) {}

    /** One split's metrics of one run; NaN where the file has null. */
    public record Split(
            double accuracy,
            double forgetting,
            int[] t,
            double[][] perTaskAccuracy,
            double[] averageAccuracy,
            double[] forgettingHistory,
            double[] pooledAccuracy,
            double[][] perClassAccuracy) {}

    public record Run(
            String method, int run, long seed, boolean stationary, Split test, Split val) {}

    public record Failure(String method, int run, long seed, String error) {}

    public record Doc(Config config, List<Run> runs, List<Failure> failures) {}

    public static Doc read(Path file) throws IOException {
        String problem = RegularFile.problem(file);
        if (problem != null) throw new FileFormatException(file, "file", problem);
        long size = Files.size(file);
        if (size > MAX_BYTES)
            throw new FileFormatException(
                    file,
                    "file",
                    size + " bytes is more than a results file holds (" + MAX_BYTES + ")");
        StrictJson.At root = StrictJson.parse(file, "$", Files.readAllBytes(file)).object();
        Config config = config(root.get("config").object());
        List<Run> runs = new ArrayList<>();
        for (StrictJson.At r : root.get("runs").elements(MAX_RUNS)) runs.add(run(r.object()));
        List<Failure> failures = new ArrayList<>();
        StrictJson.At fs = root.opt("failures");
        if (fs != null)
            for (StrictJson.At f : fs.elements(MAX_RUNS))
                failures.add(
                        new Failure(
                                f.get("method").text(),
                                f.get("run").intValue(0, MAX_RUNS),
                                f.get("seed").longValue(Long.MIN_VALUE, Long.MAX_VALUE),
                                f.get("error").text()));
        return new Doc(config, runs, failures);
    }

    private static Config config(StrictJson.At c) throws FileFormatException {
        List<String> methods = new ArrayList<>();
        for (StrictJson.At m : c.get("methods").elements(1000)) methods.add(m.text());
        if (methods.isEmpty()) throw c.get("methods").bad("no method");
        Map<String, Map<String, String>> options = new LinkedHashMap<>();
        for (var e : c.get("options").fields().entrySet()) {
            Map<String, String> o = new LinkedHashMap<>();
            for (var kv : e.getValue().fields().entrySet())
                o.put(kv.getKey(), kv.getValue().text());
            options.put(e.getKey(), o);
        }
        for (String m : methods)
            if (!options.containsKey(m))
                throw c.get("options").bad("no entry for method " + FileFormatException.quote(m));
        int runs = c.get("runs").intValue(1, MAX_RUNS);
        List<Long> seeds = new ArrayList<>();
        for (long s : c.get("seeds").longs(MAX_RUNS)) seeds.add(s);
        if (seeds.size() != runs)
            throw c.get("seeds").bad(seeds.size() + " seeds for " + runs + " runs");
        String valSplit = c.get("valSplit").text();
        if (!List.of("advanced", "shared", "deterministic", "mir")
                .contains(valSplit)) // mir: --stream mir's own split
        throw c.get("valSplit")
                    .bad(
                            FileFormatException.quote(valSplit)
                                    + " is not advanced, shared, deterministic or mir");
        StrictJson.At spc = c.opt("samplesPerClass");
        return new Config(
                c.get("command").text(),
                methods,
                options,
                runs,
                seeds,
                valSplit,
                c.get("data").text(),
                spc == null ? null : spc.intValue(1, Integer.MAX_VALUE),
                raw(c));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> raw(StrictJson.At c) {
        return StrictJson.MAPPER.convertValue(c.node(), LinkedHashMap.class);
    }

    private static Run run(StrictJson.At r) throws FileFormatException {
        return new Run(
                r.get("method").text(),
                r.get("run").intValue(0, MAX_RUNS),
                r.get("seed").longValue(Long.MIN_VALUE, Long.MAX_VALUE),
                r.get("stationary").bool(),
                split(r.get("test").object()),
                split(r.get("val").object()));
    }

    private static Split split(StrictJson.At s) throws FileFormatException {
        int[] t = s.get("t").ints(MAX_EVALS, 0, Integer.MAX_VALUE);
        for (int i = 1; i < t.length; i++)
            if (t[i] <= t[i - 1]) throw s.get("t").bad("not increasing at entry " + i);
        int n = t.length;
        double[][] perTask = rows(s.get("perTaskAccuracy"), n, 0, 1, true);
        double[][] perClass = rows(s.get("perClassAccuracy"), n, 0, 1, false);
        return new Split(
                nullable(s, "accuracy", 0, 1),
                nullable(s, "forgetting", -1, 1),
                t,
                perTask,
                history(s.get("averageAccuracy"), n, 0, 1),
                history(s.get("forgettingHistory"), n, -1, 1),
                history(s.get("pooledAccuracy"), n, 0, 1),
                perClass);
    }

    private static double nullable(StrictJson.At s, String key, double min, double max)
            throws FileFormatException {
        StrictJson.At v = s.get(key);
        return v.isNull() ? Double.NaN : v.number(min, max);
    }

    private static double[] history(StrictJson.At a, int n, double min, double max)
            throws FileFormatException {
        double[] v = a.doubles(n, min, max, true);
        if (v.length != n) throw a.bad(v.length + " entries for " + n + " evaluations");
        return v;
    }

    private static double[][] rows(StrictJson.At a, int n, double min, double max, boolean nullable)
            throws FileFormatException {
        List<StrictJson.At> es = a.elements(n);
        if (es.size() != n) throw a.bad(es.size() + " rows for " + n + " evaluations");
        double[][] out = new double[n][];
        for (int i = 0; i < n; i++) out[i] = es.get(i).doubles(MAX_CLASSES, min, max, nullable);
        return out;
    }
}

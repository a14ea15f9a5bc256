package arm.sweep;

import arm.method.Methods;
import arm.run.Defaults;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The runs of an experiment file: every table row (method; ER and ER-MIR one row per paper buffer
 * size) × variant × grid point × run, in that order.
 */
public final class Plan {
    private Plan() {}

    /** Every run of {@code f}; a key naming a method that is not selected is an error. */
    public static List<RunSpec> expand(ExperimentFile f) {
        List<String> rows = new ArrayList<>();
        for (String m : Methods.tableRows(f.methods(), f.benchmark())) {
            String c = canonical(m, "methods");
            if (rows.contains(c)) throw new SweepError("methods: " + c + " is listed twice");
            rows.add(c);
        }
        checkKeys(f.options().keySet(), rows, "options");
        checkKeys(f.grid().keySet(), rows, "grid");
        for (ExperimentFile.Variant v : f.variants())
            checkKeys(v.options().keySet(), rows, "variants[" + v.name() + "].options");
        for (String m : f.runIds().keySet()) {
            String c = canonical(m, "runIds");
            if (rows.stream().noneMatch(r -> r.equals(c) || Methods.base(r).equals(c)))
                throw new SweepError("runIds: " + c + " is not among the methods");
        }
        List<RunSpec> out = new ArrayList<>();
        Map<String, String> seen = new LinkedHashMap<>();
        for (String row : rows) {
            List<ExperimentFile.Variant> vs =
                    f.variants().isEmpty()
                            ? java.util.Collections.singletonList(null)
                            : f.variants().stream()
                                    .filter(
                                            v ->
                                                    v.options().isEmpty()
                                                            || touches(v.options().keySet(), row))
                                    .toList();
            for (ExperimentFile.Variant v : vs)
                for (Map<String, String> point : points(f.grid(), row)) {
                    Map<String, String> o = new TreeMap<>(applicable(f.options(), row));
                    String label = row;
                    if (v != null) {
                        o.putAll(applicable(v.options(), row));
                        label += " " + v.name();
                    }
                    for (var e : point.entrySet()) {
                        o.put(e.getKey(), e.getValue());
                        label += " " + e.getKey() + "=" + e.getValue();
                    }
                    for (int r = 0; r < f.runs(); r++) {
                        List<Long> ids = idsFor(f, row);
                        Long authors =
                                f.rng().equals("authors")
                                        ? Defaults.authorsFirstRunId(row, f.benchmark())
                                        : null;
                        String rng = authors != null ? "authors" : "ours";
                        long seed =
                                ids != null
                                        ? ids.get(r)
                                        : authors != null ? authors + r : f.seed0() + r;
                        String id =
                                RunSpec.id(
                                        row,
                                        o,
                                        seed,
                                        rng,
                                        f.benchmark(),
                                        f.samplesPerClass(),
                                        f.stream(),
                                        f.valSplit(),
                                        f.device());
                        String before = seen.put(id, label);
                        if (before != null)
                            throw new SweepError(
                                    "rows '"
                                            + before
                                            + "' and '"
                                            + label
                                            + "' run the same settings ("
                                            + id
                                            + ")");
                        out.add(
                                new RunSpec(
                                        id,
                                        label,
                                        row,
                                        java.util.Collections.unmodifiableMap(o),
                                        r,
                                        seed,
                                        rng,
                                        f.benchmark(),
                                        f.samplesPerClass(),
                                        f.stream(),
                                        f.valSplit(),
                                        f.device(),
                                        f.gradientSamples(),
                                        f.figures(),
                                        f.checkpointEvery(),
                                        v != null ? v.paper() : null));
                    }
                }
        }
        return out;
    }

    /**
     * Creates every distinct (method, options) once, so a bad key or value fails before anything
     * runs.
     */
    public static void validate(List<RunSpec> runs) {
        java.util.Set<String> done = new java.util.HashSet<>();
        for (RunSpec r : runs) {
            if (!done.add(r.row())) continue;
            Map<String, String> o = new LinkedHashMap<>(r.overrides());
            o.put("rng", r.rng());
            if (r.device() != null) o.put("device", r.device());
            try {
                Methods.create(r.method(), r.benchmark(), o);
            } catch (IllegalArgumentException e) {
                throw new SweepError(r.row() + ": " + e.getMessage());
            }
        }
    }

    /** The run of that id. */
    public static RunSpec find(List<RunSpec> runs, String id) {
        for (RunSpec r : runs) if (r.id().equals(id)) return r;
        throw new SweepError(
                "no run '"
                        + id
                        + "' in this experiment ("
                        + runs.size()
                        + " runs; see arm sweep --dry-run)");
    }

    private static List<Long> idsFor(ExperimentFile f, String row) {
        for (var e : f.runIds().entrySet())
            if (canonical(e.getKey(), "runIds").equals(row)) return e.getValue();
        for (var e : f.runIds().entrySet())
            if (canonical(e.getKey(), "runIds").equals(Methods.base(row))) return e.getValue();
        return null;
    }

    /**
     * Every combination of the grid keys that apply to {@code row} (one empty point when none do).
     */
    private static List<Map<String, String>> points(Map<String, List<String>> grid, String row) {
        List<Map<String, String>> out = new ArrayList<>();
        out.add(new LinkedHashMap<>());
        for (var e : grid.entrySet()) {
            if (!touches(List.of(e.getKey()), row)) continue;
            List<Map<String, String>> next = new ArrayList<>();
            for (Map<String, String> p : out)
                for (String v : e.getValue()) {
                    Map<String, String> q = new LinkedHashMap<>(p);
                    q.put(optionName(e.getKey()), v);
                    next.add(q);
                }
            out = next;
        }
        return out;
    }

    /** The options among {@code keys} that apply to {@code row}, by option name. */
    private static Map<String, String> applicable(Map<String, String> keys, String row) {
        Map<String, String> out = new LinkedHashMap<>();
        for (var e : keys.entrySet())
            if (touches(List.of(e.getKey()), row)) out.put(optionName(e.getKey()), e.getValue());
        return out;
    }

    private static boolean touches(java.util.Collection<String> keys, String row) {
        for (String k : keys) {
            int dot = k.indexOf('.');
            if (dot < 0) return true;
            String m = canonical(k.substring(0, dot), k);
            if (m.equals(row) || m.equals(Methods.base(row))) return true;
        }
        return false;
    }

    private static String optionName(String key) {
        return key.substring(key.indexOf('.') + 1);
    }

    private static void checkKeys(
            java.util.Collection<String> keys, List<String> rows, String where) {
        for (String k : keys) {
            int dot = k.indexOf('.');
            if (dot == k.length() - 1 || dot == 0)
                throw new SweepError(where + ": '" + k + "' is not KEY or METHOD.KEY");
            if (dot < 0) continue;
            String m = canonical(k.substring(0, dot), where + "." + k);
            if (rows.stream().noneMatch(r -> r.equals(m) || Methods.base(r).equals(m)))
                throw new SweepError(where + "." + k + ": " + m + " is not among the methods");
        }
    }

    private static String canonical(String name, String where) {
        try {
            return Methods.canonical(name.trim());
        } catch (IllegalArgumentException e) {
            throw new SweepError(where + ": " + e.getMessage());
        }
    }
}

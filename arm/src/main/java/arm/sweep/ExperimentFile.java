package arm.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An experiment file (YAML or JSON): which benchmark, which methods, which settings and seeds. The
 * fields (all but {@code benchmark} optional):
 *
 * <pre>
 * name: table7                      # job names; default output root results/&lt;name&gt;
 * title: Ablation study on CIFAR10  # free text for the report
 * benchmark: cifar10                # mnist, cifar10 or miniimagenet
 * methods: [ARM]                    # as `reproduce --methods`: ER becomes one row per paper buffer size
 * runs: 5                           # run r = 0 … runs−1 uses seed seed0 + r …
 * seed0: 0
 * rng: ours                         # … or, with authors, each method of the authors' code its run ids (MNIST)
 * runIds: {ARM: [6579, 6580]}       # explicit seeds (run ids) of a method, one per run
 * options: {ARM.M: 20, mlp_hidden: 400}   # METHOD.KEY (that method) or KEY (every method)
 * grid: {ARM.M: [50, 100, 150]}     # every combination, for the methods a key names
 * variants:                         # named rows, each a set of options (ablations)
 *   - {name: "λ3 = 0", options: {ARM.lambda3: 0}, paper: [15.3, 1.3, 4.17, 0.9]}
 * samplesPerClass: 500              # mnist only; fewer for quick checks
 * stream: arm                       # mnist only: arm, shuffled, mir
 * valSplit: advanced                # advanced or shared
 * device: cpu                       # cpu or cuda
 * gradientSamples: 1000             # the gradient study in run 0 of ARM and ADI; 0 = off
 * figures: true                     # record recall data and draw figures
 * checkpointEvery: 0                # checkpoint every K iterations as well as at task ends
 * data: data/cifar10                # dataset folder (default: data/&lt;benchmark&gt;)
 * out: results/table7               # output root: one folder per run
 * jobs: 2                           # local executor: runs at a time (default: cores)
 * slurm: {partition: gpu, time: "02:00:00", mem: 8G, cpusPerTask: 2, gpusPerTask: 1}
 * </pre>
 */
public record ExperimentFile(
        String name,
        String title,
        String benchmark,
        List<String> methods,
        int runs,
        long seed0,
        String rng,
        Map<String, List<Long>> runIds,
        Map<String, String> options,
        Map<String, List<String>> grid,
        List<Variant> variants,
        Integer samplesPerClass,
        String stream,
        String valSplit,
        String device,
        int gradientSamples,
        boolean figures,
        int checkpointEvery,
        String data,
        String out,
        Integer jobs,
        Map<String, String> slurm,
        String source) {

    /**
     * A named row: options on top of the file's, and the paper's numbers for it if it reports them.
     */
    public record Variant(String name, Map<String, String> options, double[] paper) {}

    /** The built-in files, shipped in the jar under arm/experiments/. */
    public static final List<String> BUILT_IN =
            List.of(
                    "mnist",
                    "cifar10",
                    "miniimagenet",
                    "table1",
                    "table5",
                    "table6",
                    "table7",
                    "fig6");

    static final Set<String> SLURM_KEYS =
            Set.of(
                    "partition",
                    "time",
                    "mem",
                    "cpusPerTask",
                    "gpusPerTask",
                    "account",
                    "qos",
                    "maxParallel");

    private static final Set<String> FIELDS =
            Set.of(
                    "name",
                    "title",
                    "benchmark",
                    "methods",
                    "runs",
                    "seed0",
                    "rng",
                    "runIds",
                    "options",
                    "grid",
                    "variants",
                    "samplesPerClass",
                    "stream",
                    "valSplit",
                    "device",
                    "gradientSamples",
                    "figures",
                    "checkpointEvery",
                    "data",
                    "out",
                    "jobs",
                    "slurm");

    /** The text of a built-in file, or null if there is none of that name. */
    public static String builtInText(String name) {
        if (!BUILT_IN.contains(name)) return null;
        try (InputStream in =
                ExperimentFile.class.getResourceAsStream("/arm/experiments/" + name + ".yaml")) {
            if (in == null) return null;
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A file's path, or the name of a built-in file ({@link #BUILT_IN}) when no such file exists.
     */
    public static ExperimentFile load(String pathOrName) {
        Path p = Path.of(pathOrName);
        if (!Files.exists(p)) {
            String text = builtInText(pathOrName);
            if (text == null)
                throw new SweepError(
                        "no experiment file "
                                + pathOrName
                                + " (built-in: "
                                + String.join(", ", BUILT_IN)
                                + ")");
            return parse(text, true, "built-in " + pathOrName);
        }
        try {
            String text = Files.readString(p);
            return parse(text, !p.toString().endsWith(".json"), p.toString());
        } catch (IOException e) {
            throw new SweepError("cannot read " + p + ": " + e.getMessage());
        }
    }

    /** Parses a file's text; every error names {@code where} and the field. */
    public static ExperimentFile parse(String text, boolean yaml, String where) {
        JsonNode root;
        try {
            root = (yaml ? new ObjectMapper(new YAMLFactory()) : new ObjectMapper()).readTree(text);
        } catch (JsonProcessingException e) {
            throw new SweepError(
                    where
                            + ": not valid "
                            + (yaml ? "YAML" : "JSON")
                            + ": "
                            + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject())
            throw new SweepError(where + ": expected a mapping of fields");
        return new Reader(root, where, text).read();
    }

    /** Settings every run of the file shares, in words, for messages. */
    public String describe() {
        return (name.isEmpty() ? "" : name + ": ")
                + benchmark
                + ", "
                + String.join(",", methods)
                + ", "
                + runs
                + " run(s)";
    }

    /** Field-by-field reading with one-line errors. */
    private record Reader(JsonNode root, String where, String text) {
        ExperimentFile read() {
            for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!FIELDS.contains(f))
                    throw bad(
                            f,
                            "unknown field (known: "
                                    + String.join(", ", new TreeSet<>(FIELDS))
                                    + ")");
            }
            String benchmark = string("benchmark", null);
            if (benchmark == null)
                throw bad("benchmark", "missing (mnist, cifar10 or miniimagenet)");
            benchmark = benchmark.toLowerCase();
            if (!List.of("mnist", "cifar10", "miniimagenet").contains(benchmark))
                throw bad(
                        "benchmark", "'" + benchmark + "' is none of mnist, cifar10, miniimagenet");
            int runs = integer("runs", 5, 1);
            String rng = choice("rng", "ours", "ours", "authors");
            if (rng.equals("authors") && !benchmark.equals("mnist"))
                throw bad("rng", "authors replays the authors' MNIST runs only");
            List<Variant> variants = variants();
            Map<String, String> slurm = flat("slurm");
            for (String k : slurm.keySet())
                if (!SLURM_KEYS.contains(k))
                    throw bad(
                            "slurm." + k,
                            "unknown (known: "
                                    + String.join(", ", new TreeSet<>(SLURM_KEYS))
                                    + ")");
            Integer jobs = root.has("jobs") ? integer("jobs", 1, 1) : null;
            return new ExperimentFile(
                    string("name", ""),
                    string("title", ""),
                    benchmark,
                    list(
                            "methods",
                            List.of(
                                    "Naive",
                                    "Stationary",
                                    "Distill",
                                    "ADI",
                                    "ARM",
                                    "ER",
                                    "ER-MIR")),
                    runs,
                    integer("seed0", 0, 0),
                    rng,
                    runIds(runs),
                    flat("options"),
                    grid(),
                    variants,
                    root.has("samplesPerClass") ? integer("samplesPerClass", 500, 1) : null,
                    root.has("stream") ? choice("stream", "arm", "arm", "shuffled", "mir") : null,
                    root.has("valSplit")
                            ? choice("valSplit", "advanced", "advanced", "shared")
                            : null,
                    root.has("device") ? choice("device", "cpu", "cpu", "cuda") : null,
                    integer("gradientSamples", 1000, 0),
                    bool("figures", true),
                    integer("checkpointEvery", 0, 0),
                    string("data", null),
                    string("out", null),
                    jobs,
                    slurm,
                    text);
        }

        SweepError bad(String field, String why) {
            return new SweepError(where + ": " + field + ": " + why);
        }

        String string(String f, String dflt) {
            JsonNode n = root.get(f);
            if (n == null || n.isNull()) return dflt;
            if (!n.isValueNode()) throw bad(f, "expected a single value");
            return n.asText().trim();
        }

        int integer(String f, int dflt, int min) {
            JsonNode n = root.get(f);
            if (n == null || n.isNull()) return dflt;
            if (!n.canConvertToInt() || !n.isIntegralNumber())
                throw bad(f, "expected a whole number, got '" + n.asText() + "'");
            if (n.intValue() < min)
                throw bad(f, "must be at least " + min + ", got " + n.intValue());
            return n.intValue();
        }

        boolean bool(String f, boolean dflt) {
            JsonNode n = root.get(f);
            if (n == null || n.isNull()) return dflt;
            if (!n.isBoolean()) throw bad(f, "expected true or false, got '" + n.asText() + "'");
            return n.booleanValue();
        }

        String choice(String f, String dflt, String... allowed) {
            String v = string(f, dflt).toLowerCase();
            if (!List.of(allowed).contains(v))
                throw bad(f, "'" + v + "' is none of " + String.join(", ", allowed));
            return v;
        }

        List<String> list(String f, List<String> dflt) {
            JsonNode n = root.get(f);
            if (n == null || n.isNull()) return dflt;
            List<String> out = new ArrayList<>();
            if (n.isValueNode()) for (String s : n.asText().split(",")) out.add(s.trim());
            else if (n.isArray()) n.forEach(x -> out.add(x.asText().trim()));
            else throw bad(f, "expected a list");
            if (out.isEmpty() || out.contains("")) throw bad(f, "empty entry");
            return out;
        }

        /** A mapping of single values, e.g. options or slurm. */
        Map<String, String> flat(String f) {
            return flat(f, root.get(f));
        }

        Map<String, String> flat(String f, JsonNode n) {
            Map<String, String> out = new LinkedHashMap<>();
            if (n == null || n.isNull()) return out;
            if (!n.isObject()) throw bad(f, "expected a mapping");
            for (var e : (Iterable<Map.Entry<String, JsonNode>>) n::fields) {
                if (!e.getValue().isValueNode() || e.getValue().isNull())
                    throw bad(f + "." + e.getKey(), "expected a single value");
                out.put(e.getKey(), e.getValue().asText().trim());
            }
            return out;
        }

        Map<String, List<String>> grid() {
            Map<String, List<String>> out = new LinkedHashMap<>();
            JsonNode n = root.get("grid");
            if (n == null || n.isNull()) return out;
            if (!n.isObject()) throw bad("grid", "expected a mapping KEY: [values]");
            for (var e : (Iterable<Map.Entry<String, JsonNode>>) n::fields) {
                JsonNode v = e.getValue();
                if (!v.isArray() || v.isEmpty())
                    throw bad("grid." + e.getKey(), "expected a non-empty list of values");
                List<String> vals = new ArrayList<>();
                for (JsonNode x : v) {
                    if (!x.isValueNode() || x.isNull())
                        throw bad("grid." + e.getKey(), "expected single values");
                    if (vals.contains(x.asText().trim()))
                        throw bad("grid." + e.getKey(), "value " + x.asText() + " is listed twice");
                    vals.add(x.asText().trim());
                }
                out.put(e.getKey(), vals);
            }
            return out;
        }

        Map<String, List<Long>> runIds(int runs) {
            Map<String, List<Long>> out = new LinkedHashMap<>();
            JsonNode n = root.get("runIds");
            if (n == null || n.isNull()) return out;
            if (!n.isObject()) throw bad("runIds", "expected a mapping METHOD: [ids]");
            for (var e : (Iterable<Map.Entry<String, JsonNode>>) n::fields) {
                JsonNode v = e.getValue();
                if (!v.isArray() || v.size() != runs)
                    throw bad("runIds." + e.getKey(), "expected a list of " + runs + " ids (runs)");
                List<Long> ids = new ArrayList<>();
                for (JsonNode x : v) {
                    if (!x.isIntegralNumber())
                        throw bad(
                                "runIds." + e.getKey(),
                                "'" + x.asText() + "' is not a whole number");
                    ids.add(x.longValue());
                }
                out.put(e.getKey(), ids);
            }
            return out;
        }

        List<Variant> variants() {
            List<Variant> out = new ArrayList<>();
            JsonNode n = root.get("variants");
            if (n == null || n.isNull()) return out;
            if (!n.isArray()) throw bad("variants", "expected a list of {name, options, paper}");
            for (JsonNode v : n) {
                if (!v.isObject() || !v.hasNonNull("name"))
                    throw bad("variants", "every variant needs a name");
                String name = v.get("name").asText().trim();
                String f = "variants[" + name + "]";
                for (Iterator<String> it = v.fieldNames(); it.hasNext(); ) {
                    String k = it.next();
                    if (!Set.of("name", "options", "paper").contains(k))
                        throw bad(f + "." + k, "unknown (name, options, paper)");
                }
                if (out.stream().anyMatch(x -> x.name().equals(name))) throw bad(f, "listed twice");
                double[] paper = null;
                JsonNode p = v.get("paper");
                if (p != null && !p.isNull()) {
                    if (!p.isArray() || p.size() != 4)
                        throw bad(f + ".paper", "expected [accuracy, std, forgetting, std]");
                    paper = new double[4];
                    for (int i = 0; i < 4; i++)
                        paper[i] = p.get(i).isNull() ? Double.NaN : p.get(i).asDouble();
                }
                out.add(new Variant(name, flat(f + ".options", v.get("options")), paper));
            }
            return out;
        }
    }
}

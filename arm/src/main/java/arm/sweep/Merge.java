package arm.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Gathers the finished runs of any set of results folders (sweep roots, their run folders, folders
 * of {@code arm reproduce} or {@code arm train}) into table rows, and checks that they may be
 * merged: one protocol (benchmark, data sizes, iterations, stream, split), one code version, one
 * set of options per row, each (row, seed) once. A sweep root's sweep.json says which runs to
 * expect.
 */
public final class Merge {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The config fields that must agree across merged folders. */
    static final List<String> PROTOCOL =
            List.of(
                    "benchmark",
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
                    "testSize");

    /** One finished run. {@code json} is its entry of runs[] in its results.json. */
    public record Run(
            String row,
            String method,
            long seed,
            boolean stationary,
            Path folder,
            JsonNode json,
            JsonNode memory) {}

    /**
     * The merged rows, in order; each row's method options; expected runs per row (0: unknown); the
     * missing runs in words; the folders' code versions; what was merged despite a disagreement
     * (--allow-mixed).
     */
    public record Result(
            String benchmark,
            JsonNode config,
            Map<String, List<Run>> rows,
            Map<String, JsonNode> options,
            Map<String, Integer> expected,
            Map<String, double[]> paper,
            List<String> missing,
            Set<String> versions,
            List<Path> folders,
            List<String> warnings) {}

    private Merge() {}

    /**
     * Merges the folders under {@code dirs}; a disagreement is a SweepError unless {@code
     * allowMixed}.
     */
    public static Result merge(List<Path> dirs, boolean allowMixed) {
        List<Path> folders = new ArrayList<>();
        List<Map.Entry<Path, JsonNode>> plans = new ArrayList<>();
        for (Path d : dirs) {
            if (!Files.isDirectory(d)) throw new SweepError("no such folder: " + d);
            int before = folders.size();
            collect(d, folders, 2);
            JsonNode plan = read(d.resolve(SweepRoot.PLAN), false);
            if (plan != null) plans.add(Map.entry(d, plan));
            if (folders.size() == before && plan == null)
                throw new SweepError(d + " holds no results.json (nor a sweep's runs)");
        }
        List<String> warnings = new ArrayList<>();
        Map<String, List<Run>> rows = new LinkedHashMap<>();
        Map<String, JsonNode> rowOptions = new LinkedHashMap<>();
        Map<String, double[]> paper = new LinkedHashMap<>();
        Map<String, Integer> expected = new LinkedHashMap<>();
        Set<String> versions = new TreeSet<>();
        JsonNode firstConfig = null;
        Path firstFolder = null;
        // rows in the order the plans list them
        for (var p : plans)
            for (JsonNode r : p.getValue().path("runs")) {
                String row = r.path("row").asText();
                rows.computeIfAbsent(row, k -> new ArrayList<>());
                expected.merge(row, 1, Integer::sum);
                if (r.path("paper").isArray()) paper.put(row, doubles(r.path("paper")));
            }
        for (Path f : folders) {
            JsonNode root = read(f.resolve("results.json"), true);
            JsonNode config = root.path("config");
            if (firstConfig == null) {
                firstConfig = config;
                firstFolder = f;
            } else {
                for (String k : PROTOCOL)
                    if (!config.path(k).equals(firstConfig.path(k)))
                        disagree(
                                allowMixed,
                                warnings,
                                f
                                        + " and "
                                        + firstFolder
                                        + " differ in config."
                                        + k
                                        + " ("
                                        + config.path(k)
                                        + " vs "
                                        + firstConfig.path(k)
                                        + ")");
            }
            versions.add(version(root));
            JsonNode state = RunFolder.state(f);
            for (JsonNode run : root.path("runs")) {
                String method = run.path("method").asText();
                String row = state.hasNonNull("row") ? state.get("row").asText() : method;
                JsonNode options = config.path("options").path(method);
                JsonNode known = rowOptions.putIfAbsent(row, options);
                if (known != null && !known.equals(options))
                    disagree(
                            allowMixed,
                            warnings,
                            "row "
                                    + row
                                    + ": "
                                    + f
                                    + " ran it with other options than another folder ("
                                    + diff(known, options)
                                    + ")");
                List<Run> list = rows.computeIfAbsent(row, k -> new ArrayList<>());
                long seed = run.path("seed").asLong();
                if (list.stream().anyMatch(x -> x.seed() == seed)) {
                    disagree(
                            allowMixed,
                            warnings,
                            "row "
                                    + row
                                    + " seed "
                                    + seed
                                    + " is in two folders ("
                                    + f
                                    + ", "
                                    + list.stream()
                                            .filter(x -> x.seed() == seed)
                                            .findFirst()
                                            .get()
                                            .folder()
                                    + ")");
                    continue;
                }
                list.add(
                        new Run(
                                row,
                                method,
                                seed,
                                run.path("stationary").asBoolean(),
                                f,
                                run,
                                memory(root, method)));
            }
        }
        Set<String> known = new LinkedHashSet<>(versions);
        known.remove("unknown");
        if (known.size() > 1)
            disagree(
                    allowMixed,
                    warnings,
                    "the folders come from different code versions: " + String.join(", ", known));
        if (known.size() >= 1 && versions.contains("unknown"))
            warnings.add(
                    "some results.json record no code version (no provenance); they are assumed to"
                            + " match "
                            + known);
        List<String> missing = new ArrayList<>();
        for (var p : plans)
            for (JsonNode r : p.getValue().path("runs")) {
                Path dir = p.getKey().resolve(r.path("id").asText());
                if (!RunFolder.done(dir))
                    missing.add(
                            r.path("row").asText()
                                    + " seed "
                                    + r.path("seed").asLong()
                                    + " ("
                                    + dir
                                    + ": "
                                    + RunFolder.status(dir)
                                    + ")");
            }
        rows.values().removeIf(List::isEmpty);
        for (List<Run> l : rows.values()) l.sort(Comparator.comparingLong(Run::seed));
        if (rows.isEmpty()) throw new SweepError("no finished run in " + dirs);
        return new Result(
                firstConfig.path("benchmark").asText(),
                firstConfig,
                rows,
                rowOptions,
                expected,
                paper,
                missing,
                versions,
                folders,
                warnings);
    }

    /** Provenance version and commit, or "unknown" when results.json has none. */
    static String version(JsonNode root) {
        JsonNode p = root.path("provenance");
        if (!p.isObject()) return "unknown";
        return p.path("version").asText("?") + " (" + p.path("commit").asText("?") + ")";
    }

    /**
     * The results folders under {@code d} (d itself when it holds results.json), down to {@code
     * depth} levels; merged reports (config.command "report") are left out.
     */
    private static void collect(Path d, List<Path> out, int depth) {
        Path f = d.resolve("results.json");
        if (Files.isRegularFile(f)) {
            JsonNode root = read(f, true);
            if (!"report".equals(root.path("config").path("command").asText())) out.add(d);
            return;
        }
        if (depth == 0) return;
        try (var s = Files.list(d)) {
            for (Path c : s.filter(Files::isDirectory).sorted().toList())
                collect(c, out, depth - 1);
        } catch (IOException e) {
            throw new SweepError("cannot list " + d + ": " + e.getMessage());
        }
    }

    private static JsonNode memory(JsonNode root, String method) {
        for (JsonNode s : root.path("summary"))
            if (s.path("method").asText().equals(method)) return s.path("memory");
        return null;
    }

    private static void disagree(boolean allowMixed, List<String> warnings, String what) {
        if (!allowMixed)
            throw new SweepError("will not merge: " + what + "; --allow-mixed merges anyway");
        warnings.add(what);
    }

    private static String diff(JsonNode a, JsonNode b) {
        List<String> out = new ArrayList<>();
        Set<String> keys = new TreeSet<>();
        a.fieldNames().forEachRemaining(keys::add);
        b.fieldNames().forEachRemaining(keys::add);
        for (String k : keys)
            if (!a.path(k).equals(b.path(k)))
                out.add(k + " " + a.path(k).asText("–") + " vs " + b.path(k).asText("–"));
        return String.join(", ", out);
    }

    private static double[] doubles(JsonNode n) {
        double[] d = new double[n.size()];
        for (int i = 0; i < d.length; i++)
            d[i] = n.get(i).isNumber() ? n.get(i).asDouble() : Double.NaN;
        return d;
    }

    private static JsonNode read(Path f, boolean required) {
        if (!Files.isRegularFile(f)) {
            if (required) throw new SweepError("no " + f);
            return null;
        }
        try {
            return JSON.readTree(f.toFile());
        } catch (IOException e) {
            throw new SweepError(
                    "cannot read " + f + ": " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /**
     * A run's entry as the merged report lists it: its method the row, its run index r, its folder
     * (the report copies the side files it names, ReportCommand).
     */
    public static ObjectNode relocated(Run r, int index) {
        ObjectNode n = r.json().deepCopy();
        n.put("method", r.row());
        n.put("run", index);
        n.put("folder", r.folder().toAbsolutePath().toString());
        return n;
    }
}

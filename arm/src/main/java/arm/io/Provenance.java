package arm.io;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Where a results folder came from: the build (version, git commit, {@code git describe}, whether
 * the tree had uncommitted changes), the command line, the JDK and machine, and when the command
 * started and finished. results.json holds it as a top-level object:
 *
 * <pre>
 * "provenance": {"version": "0.1.0-SNAPSHOT", "commit": "&lt;40 hex or unknown&gt;",
 *   "describe": "&lt;git describe or unknown&gt;", "dirty": true|false|null,
 *   "commandLine": ["reproduce", "mnist", …], "jdk": "&lt;vendor&gt; &lt;version&gt;", "os": "…",
 *   "cpu": "&lt;model name&gt;", "cores": N, "started": "&lt;ISO-8601 UTC&gt;", "finished": "&lt;… or null&gt;"}
 * </pre>
 *
 * A {@code --resume} keeps this object as the original command wrote it and appends its own to the
 * top-level list "resumes" (docs/ROBUSTNESS.md). The build fields come from arm/build.properties,
 * which the Maven build fills in (arm/pom.xml); without git they read "unknown" and dirty is null.
 *
 * @param dirty null when unknown
 * @param finished null while the command runs (or when it was killed)
 */
public record Provenance(
        String version,
        String commit,
        String describe,
        Boolean dirty,
        List<String> commandLine,
        String jdk,
        String os,
        String cpu,
        int cores,
        String started,
        String finished) {

    public static final String UNKNOWN = "unknown";
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    /** What a describe, a version or a machine field may hold when read back: printable, short. */
    private static final Pattern SAFE = Pattern.compile("[\\x20-\\x7E]{1,200}");

    private static final int MAX_ARGS = 1000;

    /** The build's own fields: version, commit, describe, dirty. */
    public record Build(String version, String commit, String describe, Boolean dirty) {

        /** "arm 0.1.0-SNAPSHOT (commit caf40591…, dirty)" style line for --version. */
        public String line() {
            return "arm "
                    + version
                    + " (commit "
                    + commit
                    + (describe.equals(UNKNOWN) ? "" : ", " + describe)
                    + (dirty == null ? "" : dirty ? ", uncommitted changes" : ", clean")
                    + ")";
        }
    }

    /** This build, from the arm/build.properties resource. */
    public static Build build() {
        Properties p = new Properties();
        try (InputStream in = Provenance.class.getResourceAsStream("/arm/build.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            // a jar without the resource: every field unknown
        }
        return build(p);
    }

    /**
     * The build fields from properties as the build filters them: a field the build could not fill
     * (still "${…}", empty, or not a commit) is "unknown"; dirty is read from describe's "-dirty".
     */
    public static Build build(Properties p) {
        String version = filled(p.getProperty("version"));
        String commit = filled(p.getProperty("commit"));
        if (!COMMIT.matcher(commit).matches()) commit = UNKNOWN;
        String describe = filled(p.getProperty("describe"));
        Boolean dirty = describe.equals(UNKNOWN) ? null : describe.endsWith("-dirty");
        return new Build(version, commit, describe, dirty);
    }

    private static String filled(String v) {
        if (v == null || !SAFE.matcher(v).matches()) return UNKNOWN;
        v = v.trim();
        return v.isEmpty() || v.contains("${") ? UNKNOWN : v;
    }

    /** The provenance of a command starting now with {@code args} on this machine. */
    public static Provenance start(Build b, List<String> args, String cpu) {
        return new Provenance(
                b.version(),
                b.commit(),
                b.describe(),
                b.dirty(),
                List.copyOf(args),
                System.getProperty("java.vendor") + " " + System.getProperty("java.version"),
                System.getProperty("os.name")
                        + " "
                        + System.getProperty("os.version")
                        + " "
                        + System.getProperty("os.arch"),
                cpu,
                Runtime.getRuntime().availableProcessors(),
                now(),
                null);
    }

    /** The same, finished now. */
    public Provenance finish() {
        return new Provenance(
                version, commit, describe, dirty, commandLine, jdk, os, cpu, cores, started, now());
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** The JSON object, fields in the documented order. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", version);
        m.put("commit", commit);
        m.put("describe", describe);
        m.put("dirty", dirty);
        m.put("commandLine", commandLine);
        m.put("jdk", jdk);
        m.put("os", os);
        m.put("cpu", cpu);
        m.put("cores", cores);
        m.put("started", started);
        m.put("finished", finished);
        return m;
    }

    /** What results.json records: the original command's provenance and those of its resumes. */
    public record History(Provenance original, List<Provenance> resumes) {
        /** Nothing recorded (a results.json written before provenance existed). */
        public static final History NONE = new History(null, List.of());

        /**
         * This history with {@code p} appended as a resume, or as the original when there is none.
         */
        public History resumedBy(Provenance p) {
            if (original == null) return new History(p, List.of());
            List<Provenance> rs = new ArrayList<>(resumes);
            rs.add(p);
            return new History(original, rs);
        }

        /** The latest command (the last resume, else the original), replaced by {@code p}. */
        public History withLatest(Provenance p) {
            if (resumes.isEmpty()) return new History(p, List.of());
            List<Provenance> rs = new ArrayList<>(resumes);
            rs.set(rs.size() - 1, p);
            return new History(original, rs);
        }

        /** The latest command's provenance, or null. */
        public Provenance latest() {
            return resumes.isEmpty() ? original : resumes.get(resumes.size() - 1);
        }
    }

    /**
     * The provenance recorded in a results.json. Tolerant: a file from before provenance, or one
     * whose provenance is damaged, gives {@link History#NONE} (or leaves out the damaged resumes);
     * every text field read back is printable ASCII of at most 200 characters, else "unknown", so
     * nothing of a hostile file is echoed raw.
     */
    public static History read(Path resultsJson) {
        try {
            if (!Files.isRegularFile(resultsJson)
                    || Files.size(resultsJson) > ResultsJson.MAX_BYTES) return History.NONE;
            return read(StrictJson.MAPPER.readTree(resultsJson.toFile()));
        } catch (IOException | RuntimeException e) {
            return History.NONE;
        }
    }

    /** {@link #read(Path)} of a parsed results.json. */
    public static History read(JsonNode root) {
        if (root == null || !root.isObject()) return History.NONE;
        Provenance original = of(root.get("provenance"));
        if (original == null) return History.NONE;
        List<Provenance> resumes = new ArrayList<>();
        JsonNode rs = root.get("resumes");
        if (rs != null && rs.isArray())
            for (int i = 0; i < Math.min(rs.size(), MAX_ARGS); i++) {
                Provenance p = of(rs.get(i));
                if (p != null) resumes.add(p);
            }
        return new History(original, resumes);
    }

    private static Provenance of(JsonNode n) {
        if (n == null || !n.isObject()) return null;
        List<String> args = new ArrayList<>();
        JsonNode cl = n.get("commandLine");
        if (cl != null && cl.isArray())
            for (int i = 0; i < Math.min(cl.size(), MAX_ARGS); i++) args.add(text(cl.get(i)));
        String commit = text(n.get("commit"));
        JsonNode dirty = n.get("dirty"), cores = n.get("cores");
        JsonNode finished = n.get("finished");
        return new Provenance(
                text(n.get("version")),
                COMMIT.matcher(commit).matches() ? commit : UNKNOWN,
                text(n.get("describe")),
                dirty != null && dirty.isBoolean() ? dirty.booleanValue() : null,
                args,
                text(n.get("jdk")),
                text(n.get("os")),
                text(n.get("cpu")),
                cores != null && cores.canConvertToInt() && cores.intValue() > 0
                        ? cores.intValue()
                        : 0,
                text(n.get("started")),
                finished == null || finished.isNull() ? null : text(finished));
    }

    private static String text(JsonNode n) {
        return n != null && n.isTextual() ? filled(n.textValue()) : UNKNOWN;
    }

    /** The provenance as markdown lines for report.md. */
    public static String markdown(History h) {
        if (h.original() == null) return "";
        StringBuilder sb = new StringBuilder("## Provenance\n\n");
        line(sb, "command", h.original());
        for (Provenance r : h.resumes()) line(sb, "resumed", r);
        return sb.append('\n').toString();
    }

    private static void line(StringBuilder sb, String what, Provenance p) {
        sb.append("- ")
                .append(what)
                .append(": `arm ")
                .append(String.join(" ", p.commandLine()).replace("`", "'"))
                .append("`, arm ")
                .append(p.version())
                .append(", commit ")
                .append(p.commit())
                .append(" (")
                .append(p.describe())
                .append(p.dirty() == null ? "" : p.dirty() ? ", uncommitted changes" : ", clean")
                .append("); ")
                .append(p.jdk())
                .append(", ")
                .append(p.os())
                .append(", ")
                .append(p.cpu())
                .append(", ")
                .append(p.cores())
                .append(" cores; started ")
                .append(p.started())
                .append(", finished ")
                .append(p.finished() == null ? "not recorded (running, or stopped)" : p.finished())
                .append('\n');
    }
}

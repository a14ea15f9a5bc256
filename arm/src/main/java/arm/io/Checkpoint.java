package arm.io;

import arm.data.ContinualData;
import arm.data.Dataset;
import arm.metrics.EvalPoint;
import arm.run.RunState;
import arm.tensor.Tensor;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * One run's checkpoint: a safetensors file ({@link SafeTensors}) holding f_cur's and the learner's
 * float32 tensors under their dotted names ("f_cur.fc1.weight", "f_old.fc1.weight", BatchNorm
 * buffers alike, a recorder's kept images), the learner's named integer arrays as int64 entries
 * "values.NAME" (lag.next; a recorder's history, doubles as their bits: too long for JSON), and, in
 * its string metadata:
 *
 * <pre>
 *   format       "arm-checkpoint/1"
 *   arm.run      JSON: which run this is — method, run index, seed, resolved options, max_t, K and
 *                a fingerprint of the data; resume refuses a checkpoint whose run differs
 *   arm.state    JSON: t, complete, seenClasses, lastTask, evals (every evaluation so far),
 *                trainSeconds, evalSeconds
 *   arm.engine   what decides the bits where it was written (kernel paths, JDK, device; a
 *                mismatch on resume only prints a note)
 *   arm.sha256   checksum of all of the above and every tensor byte
 * </pre>
 *
 * Doubles go through JSON as their shortest round-trip decimal, so evaluations come back bit for
 * bit. Reading validates every field (types, ranges, lengths) and names the one that is wrong.
 */
public final class Checkpoint {
    public static final String FORMAT = "arm-checkpoint/1";

    /** Prefix of the learner's integer arrays among the file's int64 entries. */
    static final String VALUES = "values.";

    private Checkpoint() {}

    /**
     * Which run a checkpoint belongs to.
     *
     * @param data fingerprint of the run's data ({@link #fingerprint})
     */
    public record Identity(
            String method,
            int run,
            long seed,
            Map<String, String> options,
            int maxT,
            int numClasses,
            String data) {
        public Identity {
            options = new TreeMap<>(options);
        }
    }

    /** A checkpoint as read back. */
    public record Loaded(Identity identity, RunState state, String engine) {}

    // ------------------------------------------------------------------------------------ write

    public static byte[] encode(Identity id, RunState s, String engine) {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("method", id.method());
        run.put("run", id.run());
        run.put("seed", id.seed());
        run.put("options", id.options());
        run.put("maxT", id.maxT());
        run.put("numClasses", id.numClasses());
        run.put("data", id.data());
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("t", s.t());
        state.put("complete", s.complete());
        state.put("seenClasses", s.seenClasses());
        state.put("lastTask", s.lastTask());
        List<Map<String, Object>> evals = new ArrayList<>();
        for (EvalPoint e : s.evals()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("t", e.t());
            m.put("seenClasses", e.seenClasses());
            m.put("lastTask", e.lastTask());
            m.put("valPerClass", e.valPerClass());
            m.put("testPerClass", e.testPerClass());
            m.put("valPooled", e.valPooled());
            m.put("testPooled", e.testPooled());
            evals.add(m);
        }
        state.put("evals", evals);
        state.put("trainSeconds", s.trainSeconds());
        state.put("evalSeconds", s.evalSeconds());
        Map<String, String> meta = new LinkedHashMap<>();
        try {
            meta.put("format", FORMAT);
            meta.put("arm.run", StrictJson.MAPPER.writeValueAsString(run));
            meta.put("arm.state", StrictJson.MAPPER.writeValueAsString(state));
            meta.put("arm.engine", engine);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode checkpoint metadata", e);
        }
        Map<String, long[]> longs = new LinkedHashMap<>();
        for (var e : new TreeMap<>(s.values()).entrySet())
            longs.put(VALUES + e.getKey(), e.getValue());
        return SafeTensors.encode(s.tensors(), longs, meta, true);
    }

    // ------------------------------------------------------------------------------------ read

    public static Loaded read(Path file) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file);
        Map<String, String> meta = c.metadata();
        if (!FORMAT.equals(meta.get("format")))
            throw new FileFormatException(
                    file,
                    "__metadata__.format",
                    meta.get("format") == null
                            ? "missing; not an arm checkpoint"
                            : FileFormatException.quote(meta.get("format")) + " is not " + FORMAT);
        if (!meta.containsKey(SafeTensors.CHECKSUM_KEY))
            throw new FileFormatException(
                    file,
                    SafeTensors.CHECKSUM_KEY,
                    "missing; an arm checkpoint is always checksummed");
        Identity id =
                identity(StrictJson.parse(file, "arm.run", bytes(file, meta, "arm.run")).object());
        RunState s =
                state(
                        StrictJson.parse(file, "arm.state", bytes(file, meta, "arm.state"))
                                .object(),
                        id,
                        c,
                        file);
        return new Loaded(id, s, meta.getOrDefault("arm.engine", "unknown"));
    }

    private static byte[] bytes(Path file, Map<String, String> meta, String key)
            throws FileFormatException {
        String v = meta.get(key);
        if (v == null) throw new FileFormatException(file, "__metadata__." + key, "missing");
        return v.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static Identity identity(StrictJson.At r) throws FileFormatException {
        r.only("method", "run", "seed", "options", "maxT", "numClasses", "data");
        Map<String, String> options = new TreeMap<>();
        for (var e : r.get("options").fields().entrySet())
            options.put(e.getKey(), e.getValue().text());
        return new Identity(
                r.get("method").text(),
                r.get("run").intValue(0, Integer.MAX_VALUE),
                r.get("seed").longValue(Long.MIN_VALUE, Long.MAX_VALUE),
                options,
                r.get("maxT").intValue(1, Integer.MAX_VALUE),
                r.get("numClasses").intValue(1, 1 << 20),
                r.get("data").text());
    }

    private static RunState state(StrictJson.At r, Identity id, SafeTensors.Contents c, Path file)
            throws FileFormatException {
        r.only("t", "complete", "seenClasses", "lastTask", "evals", "trainSeconds", "evalSeconds");
        int k = id.numClasses();
        int t = r.get("t").intValue(0, id.maxT());
        boolean complete = r.get("complete").bool();
        if (complete && t != id.maxT())
            throw r.get("complete").bad("true, but t = " + t + " is not max_t = " + id.maxT());
        int[] seen = r.get("seenClasses").ints(k, 0, k - 1);
        int lastTask = r.get("lastTask").intValue(-1, k - 1);
        Map<String, long[]> values = new TreeMap<>();
        for (var e : c.longs().entrySet()) {
            if (!e.getKey().startsWith(VALUES))
                throw new FileFormatException(
                        file,
                        "tensor " + FileFormatException.quote(e.getKey()),
                        "int64 entries must be named " + VALUES + "NAME");
            values.put(e.getKey().substring(VALUES.length()), e.getValue());
        }
        List<EvalPoint> evals = new ArrayList<>();
        int lastT = -1;
        for (StrictJson.At e : r.get("evals").elements(id.maxT() + 1)) {
            e.only(
                    "t",
                    "seenClasses",
                    "lastTask",
                    "valPerClass",
                    "testPerClass",
                    "valPooled",
                    "testPooled");
            int et = e.get("t").intValue(0, t);
            if (et <= lastT)
                throw e.get("t")
                        .bad(et + " does not come after the previous evaluation's " + lastT);
            lastT = et;
            evals.add(
                    new EvalPoint(
                            et,
                            e.get("seenClasses").ints(k, 0, k - 1),
                            e.get("lastTask").intValue(-1, k - 1),
                            perClass(e.get("valPerClass"), k),
                            perClass(e.get("testPerClass"), k),
                            e.get("valPooled").number(0, 1),
                            e.get("testPooled").number(0, 1)));
        }
        double train = r.get("trainSeconds").number(0, Double.MAX_VALUE);
        double eval = r.get("evalSeconds").number(0, Double.MAX_VALUE);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (var e : c.tensors().entrySet()) {
            SafeTensors.Entry v = e.getValue();
            for (int d : v.shape())
                if (d == 0)
                    throw new FileFormatException(
                            file,
                            "tensor " + FileFormatException.quote(e.getKey()),
                            "has an empty dimension");
            tensors.put(e.getKey(), Tensor.of(v.data(), v.shape()));
        }
        return new RunState(t, complete, tensors, values, seen, lastTask, evals, train, eval);
    }

    private static double[] perClass(StrictJson.At a, int k) throws FileFormatException {
        double[] v = a.doubles(k, 0, 1, false);
        if (v.length != k) throw a.bad(v.length + " entries, expected K = " + k);
        return v;
    }

    // ------------------------------------------------------------------------------------ data

    /**
     * A fingerprint of a run's data: sizes and CRC32C of the training pool (pixels, labels), the
     * stream order, val and test, so that a checkpoint is never continued on other data.
     */
    public static String fingerprint(ContinualData d) {
        return "train "
                + crc(d.train())
                + "; stream "
                + d.stream().length
                + "/"
                + crc(d.stream())
                + "; val "
                + crc(d.val())
                + "; test "
                + crc(d.test())
                + "; K "
                + d.numClasses()
                + ", cpt "
                + d.classesPerTask()
                + ", N "
                + d.batchSize();
    }

    private static String crc(Dataset s) {
        CRC32C c = new CRC32C();
        c.update(s.pixels());
        return s.size()
                + "x"
                + java.util.Arrays.toString(s.itemShape()).replace(" ", "")
                + "/"
                + Long.toHexString(c.getValue())
                + "/"
                + crc(s.labels());
    }

    private static String crc(int[] v) {
        CRC32C c = new CRC32C();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * v.length);
        b.asIntBuffer().put(v);
        c.update(b.array());
        return Long.toHexString(c.getValue());
    }
}

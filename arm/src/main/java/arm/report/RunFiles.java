package arm.report;

import arm.analysis.GradientStudy;
import arm.io.FileFormatException;
import arm.io.RegularFile;
import arm.run.GeneratedSamples;
import arm.run.RecallRecord;
import arm.run.RunResult;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The side files of one run, beside results.json, so figures can be redrawn without training:
 *
 * <pre>
 * runs/&lt;Method&gt;-run&lt;r&gt;/recall-history.csv   t, p_0 … p_{K−1}: batch-mean softmax of f_old on the final X̂ (Fig. 3)
 * runs/&lt;Method&gt;-run&lt;r&gt;/recalled-pairs.csv   pair, t, originator, target, probability (Fig. 2)
 * runs/&lt;Method&gt;-run&lt;r&gt;/recalled-pairs.npy   float32 [pairs, 2, …item shape]: [:, 0] real, [:, 1] recalled
 * runs/&lt;Method&gt;-run&lt;r&gt;/gradient-samples.csv per recalled sample: classes and per-layer cosines (Fig. 7)
 * runs/&lt;Method&gt;-run&lt;r&gt;/generated-samples.npy float32 [tasks, n, …item shape]: GEN's VAE at every task end
 * runs/&lt;Method&gt;-run&lt;r&gt;/train-log.csv        losses, learning rate and time over training ({@link TrainLogFile})
 * </pre>
 *
 * {@link #write} returns what results.json records about them (paths relative to the folder, the
 * gradient tables); {@link #readRecall} reads a recall record back.
 */
public final class RunFiles {
    private RunFiles() {}

    /** Folder of one run's side files, relative to the results folder. */
    public static String runDir(String method, int run) {
        return "runs/" + method + "-run" + run;
    }

    /** Writes whatever {@code r} recorded; returns the results.json entries (empty if nothing). */
    public static Map<String, Object> write(Path dir, String method, int run, RunResult r)
            throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        String rel = runDir(method, run);
        if (Files.isRegularFile(TrainLogFile.of(dir, method, run)))
            out.put("trainLog", rel + "/" + TrainLogFile.NAME);
        if (r.recall() == null && r.gradients() == null && r.generated() == null) return out;
        Files.createDirectories(dir.resolve(rel));
        if (r.recall() != null) out.put("recall", writeRecall(dir, rel, r.recall()));
        if (r.gradients() != null) out.put("gradients", writeGradients(dir, rel, r.gradients()));
        if (r.generated() != null) out.put("generated", writeGenerated(dir, rel, r.generated()));
        return out;
    }

    // --------------------------------------------------------------------------------- generated

    private static Map<String, Object> writeGenerated(Path dir, String rel, GeneratedSamples g)
            throws IOException {
        int d = g.itemSize(), n = g.perTask();
        float[] all = new float[g.tasks().length * n * d];
        for (int i = 0; i < g.tasks().length; i++)
            System.arraycopy(g.images()[i], 0, all, i * n * d, n * d);
        int[] shape = new int[g.itemShape().length + 2];
        shape[0] = g.tasks().length;
        shape[1] = n;
        System.arraycopy(g.itemShape(), 0, shape, 2, g.itemShape().length);
        Npy.write(dir.resolve(rel + "/generated-samples.npy"), all, shape);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("images", rel + "/generated-samples.npy");
        m.put("tasks", g.tasks());
        m.put("itemShape", g.itemShape());
        return m;
    }

    /** Reads generated samples back from the file named by results.json's "generated" entry. */
    public static GeneratedSamples readGenerated(
            Path dir, String images, int[] tasks, int[] itemShape) throws IOException {
        Path f = inside(dir, images);
        long item = 1;
        for (int s : itemShape) item *= s;
        if (itemShape.length < 1 || itemShape.length > 3 || item < 1 || item > 1 << 20)
            throw new IOException(
                    dir.resolve("results.json") + ": generated.itemShape is not an image shape");
        Npy.Array a = Npy.read(f);
        int[] s = a.shape();
        if (s.length < 2 || s[0] != tasks.length || (long) s[0] * s[1] * item != a.data().length)
            throw new IOException(
                    f
                            + ": shape "
                            + Arrays.toString(s)
                            + " does not hold "
                            + tasks.length
                            + " tasks of images of "
                            + item
                            + " values");
        int per = s[1] * (int) item;
        float[][] perTask = new float[tasks.length][];
        for (int i = 0; i < tasks.length; i++)
            perTask[i] = Arrays.copyOfRange(a.data(), i * per, (i + 1) * per);
        return new GeneratedSamples(itemShape, tasks, perTask);
    }

    // ------------------------------------------------------------------------------------ recall

    private static Map<String, Object> writeRecall(Path dir, String rel, RecallRecord rec)
            throws IOException {
        StringBuilder h = new StringBuilder("t");
        for (int c = 0; c < rec.numClasses(); c++) h.append(",p").append(c);
        h.append('\n');
        for (int i = 0; i < rec.t().length; i++) {
            h.append(rec.t()[i]);
            for (float p : rec.meanProbs()[i]) h.append(',').append(fmt(p));
            h.append('\n');
        }
        Files.writeString(dir.resolve(rel + "/recall-history.csv"), h);

        StringBuilder meta = new StringBuilder("pair,t,originator,target,probability\n");
        int d = 1;
        for (int s : rec.itemShape()) d *= s;
        float[] images = new float[rec.pairs().size() * 2 * d];
        for (int i = 0; i < rec.pairs().size(); i++) {
            RecallRecord.Pair p = rec.pairs().get(i);
            meta.append(i)
                    .append(',')
                    .append(p.t())
                    .append(',')
                    .append(p.originator())
                    .append(',')
                    .append(p.target())
                    .append(',')
                    .append(fmt(p.probability()))
                    .append('\n');
            System.arraycopy(p.initial(), 0, images, 2 * i * d, d);
            System.arraycopy(p.recalled(), 0, images, (2 * i + 1) * d, d);
        }
        Files.writeString(dir.resolve(rel + "/recalled-pairs.csv"), meta);
        int[] shape = new int[rec.itemShape().length + 2];
        shape[0] = rec.pairs().size();
        shape[1] = 2;
        System.arraycopy(rec.itemShape(), 0, shape, 2, rec.itemShape().length);
        Npy.write(dir.resolve(rel + "/recalled-pairs.npy"), images, shape);

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("history", rel + "/recall-history.csv");
        m.put("pairs", rel + "/recalled-pairs.csv");
        m.put("images", rel + "/recalled-pairs.npy");
        m.put("itemShape", rec.itemShape());
        m.put("classes", rec.numClasses());
        m.put("recallIterations", rec.t().length);
        return m;
    }

    /** Reads a recall record back from the files named by results.json's "recall" entry. */
    public static RecallRecord readRecall(
            Path dir, String history, String pairs, String images, int[] itemShape)
            throws IOException {
        Path hf = inside(dir, history), pf = inside(dir, pairs), nf = inside(dir, images);
        List<String> lines = lines(hf);
        int k = lines.get(0).split(",", -1).length - 1;
        if (k < 1 || k > MAX_CLASSES)
            throw new IOException(hf + ": line 1: " + k + " classes, expected 1.." + MAX_CLASSES);
        long item = 1;
        for (int s : itemShape) item *= s;
        if (itemShape.length < 1 || itemShape.length > 3 || item < 1 || item > 1 << 20)
            throw new IOException(
                    dir.resolve("results.json") + ": recall.itemShape is not an image shape");
        int[] t = new int[lines.size() - 1];
        float[][] probs = new float[t.length][k];
        for (int i = 0; i < t.length; i++) {
            String[] f = lines.get(i + 1).split(",", -1);
            if (f.length != k + 1)
                throw new IOException(
                        hf
                                + ": line "
                                + (i + 2)
                                + " has "
                                + f.length
                                + " fields, expected "
                                + (k + 1));
            t[i] = integer(hf, i + 2, f[0], i == 0 ? 0 : t[i - 1], Integer.MAX_VALUE, "");
            for (int c = 0; c < k; c++) probs[i][c] = (float) number(hf, i + 2, f[c + 1], 0, 1);
        }
        List<String> meta = lines(pf);
        Npy.Array img = Npy.read(nf);
        int n = meta.size() - 1;
        if (img.shape().length < 2
                || img.shape()[0] != n
                || img.shape()[1] != 2
                || (long) n * 2 * item != img.data().length)
            throw new IOException(
                    nf
                            + ": shape "
                            + Arrays.toString(img.shape())
                            + " does not hold "
                            + n
                            + " pairs of "
                            + item
                            + " values");
        int d = (int) item;
        List<RecallRecord.Pair> ps = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String[] f = meta.get(i + 1).split(",", -1);
            if (f.length < 5)
                throw new IOException(
                        pf + ": line " + (i + 2) + " has " + f.length + " fields, expected 5");
            String classes = " (the " + k + " classes of " + hf.getFileName() + ")";
            ps.add(
                    new RecallRecord.Pair(
                            integer(pf, i + 2, f[1], 0, Integer.MAX_VALUE, ""),
                            integer(pf, i + 2, f[2], -1, k - 1, classes),
                            integer(pf, i + 2, f[3], 0, k - 1, classes),
                            (float) number(pf, i + 2, f[4], 0, 1),
                            Arrays.copyOfRange(img.data(), 2 * i * d, (2 * i + 1) * d),
                            Arrays.copyOfRange(img.data(), (2 * i + 1) * d, (2 * i + 2) * d)));
        }
        return new RecallRecord(itemShape, k, t, probs, ps);
    }

    /** Classes a recall history may have; side files larger than this many bytes are refused. */
    static final int MAX_CLASSES = 100_000;

    static final long MAX_SIDE_FILE = 64L << 20; // MiniImageNet's recall history is about 13 MB

    /**
     * A side file named by results.json, which is untrusted: the name must be relative, without
     * "..", and the file must lie inside {@code dir} even after following symbolic links, and be a
     * regular file (a FIFO would block the read).
     */
    public static Path inside(Path dir, String rel) throws IOException {
        Path json = dir.resolve("results.json");
        if (rel == null
                || rel.isEmpty()
                || rel.startsWith("/")
                || rel.startsWith("\\")
                || rel.contains(":")
                || Arrays.asList(rel.split("[/\\\\]")).contains(".."))
            throw new IOException(
                    json
                            + ": side file "
                            + FileFormatException.quote(rel)
                            + " is not a path inside "
                            + dir);
        Path p = dir.resolve(rel).normalize();
        String problem = RegularFile.problem(p);
        if (problem != null) throw new IOException(p + ": " + problem);
        if (!p.toRealPath().startsWith(dir.toRealPath()))
            throw new IOException(
                    json
                            + ": side file "
                            + FileFormatException.quote(rel)
                            + " leads outside "
                            + dir
                            + " (a symbolic link)");
        if (Files.size(p) > MAX_SIDE_FILE)
            throw new IOException(p + ": larger than a side file can be");
        return p;
    }

    private static int integer(Path f, int line, String s, int min, int max, String context)
            throws IOException {
        try {
            int v = Integer.parseInt(s.strip());
            if (v >= min && v <= max) return v;
        } catch (NumberFormatException e) {
            throw new IOException(
                    f
                            + ": line "
                            + line
                            + ": "
                            + FileFormatException.quote(s)
                            + " is not an integer");
        }
        throw new IOException(
                f
                        + ": line "
                        + line
                        + ": "
                        + FileFormatException.quote(s)
                        + " is outside "
                        + min
                        + ".."
                        + max
                        + context);
    }

    private static double number(Path f, int line, String s, double min, double max)
            throws IOException {
        double v;
        try {
            v = Double.parseDouble(s.strip());
        } catch (NumberFormatException e) {
            throw new IOException(
                    f
                            + ": line "
                            + line
                            + ": "
                            + FileFormatException.quote(s)
                            + " is not a number");
        }
        if (!(v >= min && v <= max))
            throw new IOException(
                    f
                            + ": line "
                            + line
                            + ": "
                            + FileFormatException.quote(s)
                            + " is outside "
                            + min
                            + ".."
                            + max);
        return v;
    }

    // --------------------------------------------------------------------------------- gradients

    private static Map<String, Object> writeGradients(Path dir, String rel, GradientStudy.Result g)
            throws IOException {
        StringBuilder csv = new StringBuilder("sample,originator,target");
        for (String v : List.of("hard", "soft"))
            for (String c : List.of("class1", "class2"))
                for (String l : g.layers())
                    csv.append(',')
                            .append(v)
                            .append('_')
                            .append(c)
                            .append('_')
                            .append(l.replace(' ', '_'));
        csv.append('\n');
        for (int i = 0; i < g.samples().size(); i++) {
            GradientStudy.Sample s = g.samples().get(i);
            csv.append(i).append(',').append(s.originator()).append(',').append(s.target());
            for (double[] row : List.of(s.hard1(), s.hard2(), s.soft1(), s.soft2()))
                for (double v : row) csv.append(',').append(Double.isNaN(v) ? "" : fmt(v));
            csv.append('\n');
        }
        Files.writeString(dir.resolve(rel + "/gradient-samples.csv"), csv);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("samples", g.samples().size());
        m.put("skipped", g.skipped());
        m.put("sameClass", g.sameClass());
        m.put("seconds", g.seconds());
        m.put("blocks", g.blocks());
        m.put("hard", rows(g.table(GradientStudy.Targets.HARD)));
        m.put("soft", rows(g.table(GradientStudy.Targets.SOFT)));
        m.put("perSample", rel + "/gradient-samples.csv");
        return m;
    }

    private static List<Map<String, Object>> rows(List<GradientStudy.Row> rows) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (GradientStudy.Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("layer", r.layer());
            m.put("class1", stat(r.class1()));
            m.put("class2", stat(r.class2()));
            out.add(m);
        }
        return out;
    }

    private static Map<String, Object> stat(GradientStudy.Stat s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mean", Double.isNaN(s.mean()) ? null : s.mean());
        m.put("std", Double.isNaN(s.std()) ? null : s.std());
        m.put("n", s.n());
        return m;
    }

    // -------------------------------------------------------------------------------------------

    private static List<String> lines(Path p) throws IOException {
        List<String> l;
        try {
            l = Files.readAllLines(p);
        } catch (CharacterCodingException e) {
            throw new IOException(p + ": not UTF-8 text");
        }
        while (!l.isEmpty() && l.get(l.size() - 1).isBlank()) l.remove(l.size() - 1);
        if (l.isEmpty()) throw new IOException(p + ": empty file (no header)");
        return l;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }
}

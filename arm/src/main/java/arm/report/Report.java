package arm.report;

import arm.analysis.GradientStudy;
import arm.io.FileFormatException;
import arm.io.Provenance;
import arm.io.RegularFile;
import arm.io.ResultsJson;
import arm.io.StrictJson;
import arm.run.Background;
import arm.run.RecallRecord;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Draws a results folder's figures and writes its report.md, from the saved files only
 * (results.json and the side files of {@link RunFiles}), so `arm plot DIR` redraws exactly what the
 * end of `arm reproduce` drew. Figures go to DIR/figures:
 *
 * <pre>
 * fig2-recalled-&lt;run&gt;.png        recalled images over their real initial images (Fig. 2)
 * fig3-recall-history-&lt;run&gt;.png  classes × iteration: batch-mean softmax of f_old on recalled batches (Fig. 3)
 * fig4-task-accuracy-&lt;run&gt;.png   per-task test accuracy over training, task windows shaded (Fig. 4)
 * fig7-gradients-&lt;run&gt;.png       gradient study, hard and soft targets (Fig. 7, Tables 9–10)
 * generated-&lt;run&gt;.png            GEN's and GEN-MIR's VAE samples at every task end
 * </pre>
 *
 * &lt;run&gt; is Method-runR; by default only the first finished run of every method is drawn.
 */
public final class Report {

    /**
     * What {@link #write} produced; gradientTables are the report's gradient sections (markdown).
     */
    public record Written(Path report, List<Path> figures, List<String> gradientTables) {}

    private Report() {}

    /**
     * Draws dir's figures and report.md, each run's figures on its own thread (up to one per core).
     */
    public static Written write(Path dir, boolean allRuns) throws IOException {
        return write(dir, allRuns, Runtime.getRuntime().availableProcessors());
    }

    /**
     * The same on at most {@code threads} drawing threads (1: one run after another); the files are
     * the same bytes for every count.
     */
    public static Written write(Path dir, boolean allRuns, int threads) throws IOException {
        Path json = dir.resolve("results.json");
        String problem = RegularFile.problem(json);
        if ("no such file".equals(problem)) throw new IOException(dir + " holds no results.json");
        if (problem != null) throw new IOException(json + ": " + problem);
        RunFiles.inside(dir, "results.json");
        ResultsJson.read(
                json); // untrusted: sizes, types and ranges checked (accuracy in [0, 1], …)
        JsonNode root = StrictJson.MAPPER.readTree(json.toFile());
        for (JsonNode run : root.path("runs"))
            // a method, or a merged report's row ("ARM λ3=0", "ARM recall 2x"): letters, digits,
            // _ + = - and spaces; no dot or slash, so no name reaches outside figures/
            if (!run.path("method").asText().matches("[\\p{L}\\p{N}_+= -]{1,64}"))
                throw new IOException(
                        json
                                + ": runs[].method "
                                + FileFormatException.quote(run.path("method").asText())
                                + " is not a method name");
        JsonNode config = root.path("config");
        int iterations = config.path("iterations").asInt(), tasks = config.path("tasks").asInt();
        int T = config.path("batchesPerTask").asInt(tasks > 0 ? iterations / tasks : iterations);
        String dataset = config.path("dataset").asText("");
        Path figDir = dir.resolve("figures");
        Files.createDirectories(figDir);

        // each run's figures are drawn on their own (one task per run, on as many threads as there
        // are cores and runs): at the end of `reproduce` the other core would idle while one thread
        // draws all of them; the pieces are joined in the runs' order, so report.md and every PNG
        // are the same bytes as drawn one after another
        List<JsonNode> runs = new ArrayList<>();
        for (JsonNode run : select(root.path("runs"), allRuns)) runs.add(run);
        List<RunPieces> pieces =
                inParallel(runs, threads, run -> runPieces(dir, figDir, run, T, tasks, dataset));
        List<Path> figures = new ArrayList<>();
        List<String> gradientSections = new ArrayList<>();
        StringBuilder fig4 = new StringBuilder(),
                fig3 = new StringBuilder(),
                fig2 = new StringBuilder(),
                generated = new StringBuilder(),
                fig7 = new StringBuilder(),
                losses = new StringBuilder();
        for (RunPieces pr : pieces) {
            figures.addAll(pr.figures);
            gradientSections.addAll(pr.gradientSections);
            fig4.append(pr.fig4);
            fig3.append(pr.fig3);
            fig2.append(pr.fig2);
            generated.append(pr.generated);
            fig7.append(pr.fig7);
            losses.append(pr.losses);
        }

        StringBuilder md = new StringBuilder();
        md.append("# Run report: ")
                .append(config.path("command").asText("?"))
                .append(" (")
                .append(dataset)
                .append(")\n\n");
        md.append("Started ")
                .append(config.path("started").asText("?"))
                .append("; ")
                .append(config.path("runs").asInt())
                .append(" run(s) per method, ")
                .append(iterations)
                .append(" iterations per run, T = ")
                .append(T)
                .append(
                        ". Data: `results.json`, `runs.csv`, `summary.csv`, `runs/`. Redraw with"
                                + " `./arm.sh plot ")
                .append(dir)
                .append("`.\n\n");
        md.append(summaryTable(root.path("summary")));
        md.append(Provenance.markdown(Provenance.read(root)));
        section(
                md,
                "Per-task accuracy over training (Fig. 4)",
                "One curve per task (test split, class-balanced per-task accuracy), the average"
                    + " dashed; each task's training window is shaded in its colour. The table's"
                    + " accuracy and forgetting use the task-boundary evaluations only (t = 0, T,"
                    + " 2T, …), so a finer `-o eval_every=N` changes the curves' resolution, never"
                    + " the table.",
                fig4);
        section(
                md,
                "Training losses",
                "From each run's train-log.csv: step A (CE on the real batch), step B (Distill's"
                    + " distillation, ADI's and ARM's recall step, ER's replay CE), the recall loss"
                    + " R and each of its terms unweighted, each the mean over the S refinement"
                    + " steps of a logged iteration (`--log-every K`).",
                losses);
        section(
                md,
                "History of recalled classes (Fig. 3)",
                "For every recall iteration t (columns), the batch mean over the recalled batch of"
                    + " softmax(f_old(X̂)) after refinement (rows: classes), averaged over the R"
                    + " rounds; long histories are averaged into at most "
                        + Charts.MAX_COLUMNS
                        + " columns.",
                fig3);
        section(
                md,
                "Recalled images (Fig. 2)",
                "At the last iteration of every task with recall (at most 5 tasks): recalled images"
                    + " x̂ (top, labelled with f_old's top class and its probability) over the real"
                    + " images they were initialised from (bottom, with their labels). Each image"
                    + " is scaled by its own range (recalled images are not clamped).",
                fig2);
        section(
                md,
                "Generated samples (GEN, GEN-MIR)",
                "At the end of every task (rows), the VAE in eval mode decodes the same "
                        + "prior draws (columns): the samples the next task replays, as Bernoulli"
                        + " means on a fixed [0, 1] scale; beside Fig. 2's recalled images, the"
                        + " generative baselines' counterpart.",
                generated);
        section(
                md,
                "Gradient study (Fig. 7, Tables 9–10)",
                "Cosine between the parameter gradient of training the final model on a recalled"
                    + " sample (hard or soft target) and that of a real sample of its originator"
                    + " class (class 1) or of its target class (class 2), per parameter block,"
                    + " averaged per layer; mean ± population std over the recalled samples.",
                fig7);
        Path report = dir.resolve("report.md");
        Files.writeString(report, md);
        return new Written(report, figures, gradientSections);
    }

    /** One run's figures (in the order drawn) and its pieces of report.md's sections. */
    private static final class RunPieces {
        final List<Path> figures = new ArrayList<>();
        final List<String> gradientSections = new ArrayList<>();
        final StringBuilder fig4 = new StringBuilder(),
                fig3 = new StringBuilder(),
                fig2 = new StringBuilder(),
                generated = new StringBuilder(),
                fig7 = new StringBuilder(),
                losses = new StringBuilder();
    }

    /** Draws one run's figures. */
    private static RunPieces runPieces(
            Path dir, Path figDir, JsonNode run, int T, int tasks, String dataset)
            throws IOException {
        RunPieces pr = new RunPieces();
        String name = fileName(run.path("method").asText()) + "-run" + run.path("run").asInt();
        String label =
                run.path("method").asText()
                        + " run "
                        + run.path("run").asInt()
                        + " (seed "
                        + run.path("seed").asLong()
                        + ")";
        if (!run.path("stationary").asBoolean()) {
            Path p = figDir.resolve("fig4-task-accuracy-" + name + ".png");
            JsonNode test = run.path("test");
            int[] t = ints(test.path("t"));
            Charts.save(
                    Charts.tasks(
                            t,
                            matrix(test.path("perTaskAccuracy")),
                            doubles(test.path("averageAccuracy")),
                            T,
                            tasks,
                            "Per-task test accuracy, " + label),
                    p);
            pr.figures.add(p);
            pr.fig4.append(image(label + ": " + evalNote(t, T), p, dir));
        }
        Path log = trainLog(dir, run);
        if (log != null) {
            Path pl = figDir.resolve("losses-" + name + ".png");
            Charts.save(Charts.losses(TrainLogFile.read(log), "Training losses, " + label), pl);
            pr.figures.add(pl);
            pr.losses
                    .append(image(label, pl, dir))
                    .append("Data: [train-log.csv](")
                    .append(dir.relativize(log).toString().replace('\\', '/'))
                    .append(")\n\n");
        }
        JsonNode recall = run.path("recall");
        if (recall.isObject()) {
            RecallRecord rec =
                    RunFiles.readRecall(
                            dir,
                            recall.path("history").asText(),
                            recall.path("pairs").asText(),
                            recall.path("images").asText(),
                            ints(recall.path("itemShape")));
            Path p3 = figDir.resolve("fig3-recall-history-" + name + ".png");
            Charts.save(
                    Charts.history(
                            rec.t(),
                            rec.meanProbs(),
                            "Recalled classes (mean softmax of f_old), " + label),
                    p3);
            pr.figures.add(p3);
            pr.fig3.append(image(label, p3, dir));
            Path p2 = figDir.resolve("fig2-recalled-" + name + ".png");
            if (RecalledImages.write(
                    p2,
                    rec.pairs(),
                    rec.itemShape(),
                    "Recalled x̂ (top) and the real images they started from (bottom), " + label)) {
                pr.figures.add(p2);
                pr.fig2.append(image(label, p2, dir));
            }
        }
        JsonNode gen = run.path("generated");
        if (gen.isObject()) {
            Path pg = figDir.resolve("generated-" + name + ".png");
            if (GeneratedImages.write(
                    pg,
                    RunFiles.readGenerated(
                            dir,
                            gen.path("images").asText(),
                            ints(gen.path("tasks")),
                            ints(gen.path("itemShape"))),
                    "Generated samples at every task end, " + label)) {
                pr.figures.add(pg);
                pr.generated.append(image(label, pg, dir));
            }
        }
        JsonNode grad = run.path("gradients");
        if (grad.isObject()) {
            List<GradientStudy.Row> hard = rows(grad.path("hard")), soft = rows(grad.path("soft"));
            Path p7 = figDir.resolve("fig7-gradients-" + name + ".png");
            Charts.save(
                    List.of(
                            Charts.gradients(hard, "(a) hard targets, " + label),
                            Charts.gradients(soft, "(b) soft targets, " + label)),
                    1,
                    2,
                    p7);
            pr.figures.add(p7);
            String section =
                    gradientSection(label, grad, hard, soft, PaperGradients.forDataset(dataset));
            pr.gradientSections.add(section);
            pr.fig7.append(section).append('\n').append(image(label, p7, dir));
        }
        return pr;
    }

    /** Something that draws from one item and may fail on a file. */
    interface Drawing<A, B> {
        B apply(A a) throws IOException;
    }

    /**
     * f applied to every item, the results in the items' order: on min(maxThreads, items) daemon
     * threads, or on the caller when that is one. The first failure (in the items' order) is thrown
     * once every task has ended.
     */
    static <A, B> List<B> inParallel(List<A> items, int maxThreads, Drawing<A, B> f)
            throws IOException {
        int threads = Math.min(items.size(), maxThreads);
        List<B> out = new ArrayList<>();
        if (threads <= 1) {
            for (A a : items) out.add(f.apply(a));
            return out;
        }
        ExecutorService pool = Background.pool("arm-report-", threads);
        try {
            List<Future<B>> futures = new ArrayList<>();
            for (A a : items) futures.add(pool.submit(() -> f.apply(a)));
            Throwable first = null;
            boolean interrupted = false;
            for (Future<B> fu : futures) {
                while (true) {
                    try {
                        out.add(fu.get());
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true; // the figures are half drawn otherwise: finish first
                    } catch (ExecutionException e) {
                        if (first == null) first = e.getCause();
                        break;
                    }
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
            if (first instanceof IOException io) throw io;
            if (first instanceof RuntimeException re) throw re;
            if (first instanceof Error er) throw er;
            if (first != null) throw new IllegalStateException(first);
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------------------------- sections

    private static void section(StringBuilder md, String title, String text, StringBuilder body) {
        if (body.length() == 0) return;
        md.append("## ").append(title).append("\n\n").append(text).append("\n\n").append(body);
    }

    private static String image(String caption, Path png, Path dir) {
        return "!["
                + caption
                + "]("
                + dir.relativize(png).toString().replace('\\', '/')
                + ")\n\n*"
                + caption
                + "*\n\n";
    }

    private static String evalNote(int[] t, int T) {
        int step = Integer.MAX_VALUE;
        for (int i = 1; i < t.length; i++) step = Math.min(step, t[i] - t[i - 1]);
        return t.length < 2 || step >= T
                ? "evaluated at task boundaries only (the paper's protocol; -o eval_every=N for"
                        + " finer curves)"
                : "evaluated every " + step + " iterations and at task boundaries";
    }

    static String summaryTable(JsonNode summary) {
        if (!summary.isArray() || summary.isEmpty()) return "";
        StringBuilder sb =
                new StringBuilder(
                        "## Results (test split, %, mean ± population std over runs)\n\n");
        sb.append(
                "| method | runs | accuracy | forgetting | paper accuracy | paper forgetting | s /"
                        + " run |\n");
        sb.append("|---|---|---|---|---|---|---|\n");
        for (JsonNode s : summary) {
            JsonNode paper = s.path("paper");
            sb.append("| ")
                    .append(s.path("method").asText())
                    .append(" | ")
                    .append(s.path("runs").asInt())
                    .append(" | ")
                    .append(pm(s.path("accuracy"), 1))
                    .append(" | ")
                    .append(pm(s.path("forgetting"), 1))
                    .append(" | ")
                    .append(pm(paper.path("accuracy"), 1))
                    .append(" | ")
                    .append(pm(paper.path("forgetting"), 1))
                    .append(" | ")
                    .append(String.format(Locale.ROOT, "%.1f", s.path("secondsPerRun").asDouble()))
                    .append(" |\n");
        }
        return sb.append('\n').toString();
    }

    static String gradientSection(
            String label,
            JsonNode grad,
            List<GradientStudy.Row> hard,
            List<GradientStudy.Row> soft,
            PaperGradients.Tables paper) {
        StringBuilder sb = new StringBuilder();
        sb.append("### ")
                .append(label)
                .append(": ")
                .append(grad.path("samples").asInt())
                .append(" recalled samples");
        sb.append(" (").append(grad.path("sameClass").asInt()).append(" with target = originator");
        if (grad.path("skipped").asInt() > 0)
            sb.append(", ").append(grad.path("skipped").asInt()).append(" skipped");
        sb.append(")")
                .append(paper == null ? "" : ", beside the paper's " + paper.source())
                .append("\n\n");
        table(sb, "(a) Hard targets (one-hot)", hard, paper == null ? null : paper.hard());
        table(sb, "(b) Soft targets", soft, paper == null ? null : paper.soft());
        return sb.toString();
    }

    private static void table(
            StringBuilder sb,
            String title,
            List<GradientStudy.Row> rows,
            List<PaperGradients.Row> paper) {
        Map<String, PaperGradients.Row> byLayer = new LinkedHashMap<>();
        if (paper != null) for (PaperGradients.Row r : paper) byLayer.put(r.layer(), r);
        sb.append(title)
                .append("\n\n| layer | corr. class 1 | corr. class 2 |")
                .append(paper == null ? "" : " paper class 1 | paper class 2 |")
                .append('\n');
        sb.append("|---|---|---|").append(paper == null ? "" : "---|---|").append('\n');
        for (GradientStudy.Row r : rows) {
            sb.append("| ")
                    .append(r.layer())
                    .append(" | ")
                    .append(pm3(r.class1().mean(), r.class1().std()))
                    .append(" | ")
                    .append(pm3(r.class2().mean(), r.class2().std()))
                    .append(" |");
            if (paper != null) {
                PaperGradients.Row p = byLayer.get(r.layer());
                sb.append(
                        p == null
                                ? " | |"
                                : " "
                                        + pm3(p.mean1(), p.std1())
                                        + " | "
                                        + pm3(p.mean2(), p.std2())
                                        + " |");
            }
            sb.append('\n');
        }
        sb.append('\n');
    }

    // ---------------------------------------------------------------------------------- reading

    /**
     * The run's train-log.csv, found from its method name and run index (never from a path in the
     * file), or null when it has none or the name could step outside the folder.
     */
    static Path trainLog(Path dir, JsonNode run) {
        String method = fileName(run.path("method").asText(""));
        JsonNode r = run.path("run");
        if (!method.matches("[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}")
                || method.contains("..")
                || !r.canConvertToInt()
                || r.intValue() < 0) return null;
        Path log = TrainLogFile.of(dir, method, r.intValue());
        return Files.isRegularFile(log, LinkOption.NOFOLLOW_LINKS) ? log : null;
    }

    /** A row or method name as a file name: "ARM λ1=0 λ2=0" → "ARM-lambda1-0-lambda2-0". */
    public static String fileName(String name) {
        return name.replace("λ", "lambda").replaceAll("[^A-Za-z0-9_+-]+", "-");
    }

    /** The runs to draw: all, or the first (lowest run index) of every method, in file order. */
    static List<JsonNode> select(JsonNode runs, boolean all) {
        List<JsonNode> out = new ArrayList<>();
        Map<String, JsonNode> first = new LinkedHashMap<>();
        for (JsonNode r : runs) {
            if (all) out.add(r);
            else
                first.merge(
                        r.path("method").asText(),
                        r,
                        (a, b) -> a.path("run").asInt() <= b.path("run").asInt() ? a : b);
        }
        if (!all) out.addAll(first.values());
        return out;
    }

    static List<GradientStudy.Row> rows(JsonNode rows) {
        List<GradientStudy.Row> out = new ArrayList<>();
        for (JsonNode r : rows)
            out.add(
                    new GradientStudy.Row(
                            r.path("layer").asText(),
                            stat(r.path("class1")),
                            stat(r.path("class2"))));
        return out;
    }

    private static GradientStudy.Stat stat(JsonNode s) {
        return new GradientStudy.Stat(num(s.path("mean")), num(s.path("std")), s.path("n").asInt());
    }

    static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asInt();
        return out;
    }

    static double[] doubles(JsonNode a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = num(a.get(i));
        return out;
    }

    static double[][] matrix(JsonNode a) {
        double[][] out = new double[a.size()][];
        for (int i = 0; i < out.length; i++) out[i] = doubles(a.get(i));
        return out;
    }

    private static double num(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() ? Double.NaN : n.asDouble();
    }

    private static String pm(JsonNode s, int digits) {
        if (s == null || !s.isObject() || s.path("mean").isNull()) return "–";
        String f = "%." + digits + "f ± %." + digits + "f";
        return String.format(Locale.ROOT, f, s.path("mean").asDouble(), s.path("std").asDouble());
    }

    private static String pm3(double mean, double std) {
        return Double.isNaN(mean) ? "–" : String.format(Locale.ROOT, "%.3f ± %.3f", mean, std);
    }
}

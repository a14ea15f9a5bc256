package arm.report;

import arm.run.LossLog;
import arm.run.TrainLog;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A run's training log, runs/&lt;Method&gt;-run&lt;r&gt;/train-log.csv beside results.json:
 *
 * <pre>
 * t, task, lr, seconds, step_a, step_b, recall, recall_D, recall_NL_old, recall_NL_new, recall_div,
 * recall_sharp, recall_L2, recall_TV, recall_classes, recall_bs
 * </pre>
 *
 * one row per logged iteration ({@link LossLog#COLUMNS} explains the loss columns; a cell is empty
 * where the method or the iteration has no such value); seconds is the run's training time so far,
 * carried across --resume. A failure to write stops the log with one warning and never the run.
 */
public final class TrainLogFile implements TrainLog {
    public static final String NAME = "train-log.csv";
    public static final String HEADER = "t,task,lr,seconds," + String.join(",", LossLog.COLUMNS);

    /** Far more than any log we write (MiniImageNet, every iteration: ~10 MB). */
    static final long MAX_BYTES = 512L << 20;

    private final Path file;
    private final int every;
    private final Consumer<String> warn;
    private BufferedWriter out;

    /**
     * @param every K (rows at t mod K = 0); 0 writes nothing
     * @param warn told once, in one line, if the log cannot be written
     */
    public TrainLogFile(Path file, int every, Consumer<String> warn) {
        this.file = file;
        this.every = every;
        this.warn = warn;
    }

    /** The log of run {@code run} of {@code method} in the results folder {@code dir}. */
    public static Path of(Path dir, String method, int run) {
        return dir.resolve(RunFiles.runDir(method, run)).resolve(NAME);
    }

    @Override
    public int every() {
        return every;
    }

    /** Keeps the header and the rows before t of an existing log, then appends from there. */
    @Override
    public void restart(int t) {
        if (every <= 0) return;
        try {
            Files.createDirectories(file.getParent());
            StringBuilder kept = new StringBuilder(HEADER).append('\n');
            if (t > 0
                    && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                    && Files.size(file) <= MAX_BYTES) {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                if (!lines.isEmpty() && lines.get(0).equals(HEADER))
                    for (String line : lines.subList(1, lines.size())) {
                        int comma = line.indexOf(','), rowT;
                        try {
                            rowT = Integer.parseInt(comma < 0 ? line : line.substring(0, comma));
                        } catch (NumberFormatException e) {
                            break; // a row cut short by a kill: it and everything after go
                        }
                        if (rowT >= t || line.split(",", -1).length != LossLog.COLUMNS.size() + 4)
                            break;
                        kept.append(line).append('\n');
                    }
            }
            arm.io.AtomicFile.write(file, kept.toString().getBytes(StandardCharsets.UTF_8));
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    @Override
    public void row(int t, int task, float lr, double seconds, double[] values) {
        if (out == null) return;
        StringBuilder sb = new StringBuilder(160);
        sb.append(t)
                .append(',')
                .append(task)
                .append(',')
                .append(lr)
                .append(',')
                .append(Math.round(seconds * 1000) / 1000.0);
        for (double v : values) {
            sb.append(',');
            if (!Double.isNaN(v)) sb.append((float) v);
        }
        try {
            out.append(sb).append('\n');
        } catch (IOException e) {
            fail(e);
        }
    }

    @Override
    public void flush() {
        if (out == null) return;
        try {
            out.flush();
        } catch (IOException e) {
            fail(e);
        }
    }

    /** Flushes and closes the file. */
    public void close() {
        flush();
        if (out == null) return;
        try {
            out.close();
        } catch (IOException e) {
            fail(e);
        }
        out = null;
    }

    private void fail(Exception e) {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // already failing
            }
        }
        out = null;
        warn.accept(
                "training log "
                        + file
                        + " not written further: "
                        + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : " " + e.getMessage()));
    }

    // ------------------------------------------------------------------------------- reading

    /** A log read back: t, and per column of {@link #HEADER} after t its values (NaN: empty). */
    public record Curves(int[] t, List<String> columns, double[][] values) {}

    /**
     * Reads a log for the loss chart; a file that is not a log of ours is a one-line IOException
     * naming the file and line, never quoting its content.
     */
    public static Curves read(Path file) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
            throw new IOException(file + ": not a regular file");
        if (Files.size(file) > MAX_BYTES)
            throw new IOException(file + ": larger than a training log (" + MAX_BYTES + " bytes)");
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(HEADER))
            throw new IOException(file + ": line 1 is not the training log header");
        List<String> columns = List.of(HEADER.split(",")).subList(1, LossLog.COLUMNS.size() + 4);
        List<Integer> ts = new ArrayList<>();
        List<double[]> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isEmpty()) continue;
            String[] f = lines.get(i).split(",", -1);
            if (f.length != columns.size() + 1)
                throw new IOException(
                        file
                                + ": line "
                                + (i + 1)
                                + " has "
                                + f.length
                                + " fields, expected "
                                + (columns.size() + 1));
            double[] v = new double[columns.size()];
            try {
                int t = Integer.parseInt(f[0]);
                if (t < 0 || (!ts.isEmpty() && t <= ts.get(ts.size() - 1)))
                    throw new IOException(file + ": line " + (i + 1) + ": t is not increasing");
                ts.add(t);
                for (int j = 0; j < v.length; j++) {
                    v[j] = f[j + 1].isEmpty() ? Double.NaN : Double.parseDouble(f[j + 1]);
                    if (Double.isInfinite(v[j])) v[j] = Double.NaN;
                }
            } catch (NumberFormatException e) {
                throw new IOException(
                        file + ": line " + (i + 1) + " holds a field that is not a number");
            }
            rows.add(v);
        }
        double[][] values = new double[columns.size()][rows.size()];
        for (int i = 0; i < rows.size(); i++)
            for (int j = 0; j < columns.size(); j++) values[j][i] = rows.get(i)[j];
        return new Curves(ts.stream().mapToInt(Integer::intValue).toArray(), columns, values);
    }
}

package arm.sweep;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The local executor: each run as its own {@code arm run-one} process (the same command a Slurm
 * array task runs, so both give the same folders), {@code jobs} at a time; output in
 * logs/&lt;id&gt;.log.
 */
public final class LocalExecutor {
    private LocalExecutor() {}

    /** Runs {@code runs}; returns how many failed. */
    public static int run(
            SweepRoot root, List<RunSpec> runs, int jobs, String data, PrintStream out)
            throws InterruptedException {
        Path logs = root.dir().resolve("logs");
        try {
            Files.createDirectories(logs);
        } catch (IOException e) {
            throw new SweepError("cannot create " + logs + ": " + e.getMessage());
        }
        AtomicInteger failed = new AtomicInteger(), finished = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, jobs));
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (RunSpec r : runs)
                fs.add(
                        pool.submit(
                                () -> {
                                    long t0 = System.nanoTime();
                                    int code = runOne(root, r, data, logs.resolve(r.id() + ".log"));
                                    if (code != 0) failed.incrementAndGet();
                                    synchronized (out) {
                                        out.printf(
                                                Locale.ROOT,
                                                "[%d/%d] %-40s %s (%.1f s)%n",
                                                finished.incrementAndGet(),
                                                runs.size(),
                                                r.id(),
                                                code == 0
                                                        ? "done"
                                                        : "FAILED (exit "
                                                                + code
                                                                + "; see logs/"
                                                                + r.id()
                                                                + ".log)",
                                                (System.nanoTime() - t0) / 1e9);
                                    }
                                    return null;
                                }));
            for (Future<?> f : fs) f.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return failed.get();
    }

    private static int runOne(SweepRoot root, RunSpec r, String data, Path log)
            throws IOException, InterruptedException {
        List<String> cmd =
                new ArrayList<>(Launch.javaCommand(r.benchmark(), List.of(r.method()), null));
        cmd.addAll(
                List.of(
                        "run-one",
                        root.file().toString(),
                        "--out",
                        root.dir().toString(),
                        "--run",
                        r.id()));
        if (data != null) cmd.addAll(List.of("--data", data));
        Process p =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .start();
        try {
            return p.waitFor();
        } catch (InterruptedException e) {
            p.destroy(); // run-one notes the run as cancelled; its checkpoints stay
            throw e;
        }
    }
}

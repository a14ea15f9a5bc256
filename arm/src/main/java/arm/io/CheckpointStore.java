package arm.io;

import arm.run.Background;
import arm.run.Checkpointer;
import arm.run.RunState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The checkpoints of one results folder: {@code OUT/checkpoints/METHOD-runR.safetensors}, one file
 * per run, replaced atomically ({@link AtomicFile}) at every task end, every {@code every}
 * iterations when {@code every} &gt; 0, and when the run finishes (the final file keeps the trained
 * weights). Resuming reads a run's file and continues from it after checking that it belongs to the
 * same run (method, options, seed, data).
 */
public final class CheckpointStore {
    public static final String DIR = "checkpoints", EXT = ".safetensors";

    private final Path dir;
    private final int every;
    private final String engine;
    private volatile Consumer<String> warnings = w -> {};
    private volatile boolean keepTaskEnds;
    private final Set<Path> warned = ConcurrentHashMap.newKeySet();

    /**
     * @param out the results folder
     * @param every also save every this many iterations (0: task ends and the end only)
     * @param engine what decides the numbers bit for bit (kernel paths, JDK, device; no thread
     *     counts): stored, and a checkpoint written under another gets a note on resume
     */
    public CheckpointStore(Path out, int every, String engine) {
        if (every < 0)
            throw new IllegalArgumentException("checkpoint interval must be >= 0, got " + every);
        this.dir = out.resolve(DIR);
        this.every = every;
        this.engine = engine;
    }

    /**
     * Where to say that a checkpoint was written by another engine (valid, but not bit-identical).
     */
    public CheckpointStore warnings(Consumer<String> sink) {
        this.warnings = sink;
        return this;
    }

    /**
     * Also keeps every task-end checkpoint, as {@code METHOD-runR-tT.safetensors} (a hard link to
     * the file written at t, or a copy where links are not possible), and never {@link #prune}s.
     */
    public CheckpointStore keepTaskEnds(boolean keep) {
        this.keepTaskEnds = keep;
        return this;
    }

    public boolean keepsTaskEnds() {
        return keepTaskEnds;
    }

    /**
     * Deletes the folder's checkpoints once the whole command has finished and results.json holds
     * every run: a resume of a finished command then has nothing to do and needs none of them.
     *
     * @return the bytes freed
     */
    public long prune() throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return 0;
        long freed = 0;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String n = p.getFileName().toString();
                if (!n.endsWith(EXT) && !n.endsWith(EXT + ".tmp")) continue;
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) freed += Files.size(p);
                Files.deleteIfExists(p);
            }
        }
        try (Stream<Path> s = Files.list(dir)) {
            if (s.findAny().isEmpty()) Files.delete(dir);
        }
        return freed;
    }

    public Path dir() {
        return dir;
    }

    public Path file(String method, int run) {
        return dir.resolve(method + "-run" + run + EXT);
    }

    /** True when the folder holds no checkpoint file. */
    public boolean isEmpty() throws IOException {
        if (!Files.isDirectory(dir)) return true;
        try (Stream<Path> s = Files.list(dir)) {
            return s.noneMatch(p -> p.getFileName().toString().endsWith(EXT));
        }
    }

    /** The saved state of a run, validated against {@code id}; null when it has no checkpoint. */
    public RunState load(Checkpoint.Identity id) throws IOException {
        Path f = file(id.method(), id.run());
        if (!RegularFile.present(f)) return null;
        String problem = RegularFile.problem(f);
        if (problem != null)
            throw new FileFormatException(
                    f, "file", problem + "; move it away to start this run afresh");
        Checkpoint.Loaded l = Checkpoint.read(f);
        String diff = difference(l.identity(), id);
        if (diff != null)
            throw new FileFormatException(
                    f,
                    "arm.run",
                    "belongs to a different run: "
                            + diff
                            + "; move it away to start this run afresh");
        if (!l.engine().equals(engine) && warned.add(f))
            warnings.accept(
                    "note: "
                            + f.getFileName()
                            + " was written by \""
                            + FileFormatException.oneLine(l.engine())
                            + "\", this is \""
                            + engine
                            + "\": the run continues correctly, but its numbers may differ in the"
                            + " last bits from a run that never stopped");
        return l.state();
    }

    /**
     * The checkpointer of one run.
     *
     * @param resume continue from the run's file when there is one (otherwise always start afresh)
     */
    public Checkpointer forRun(Checkpoint.Identity id, boolean resume) {
        return new Checkpointer() {
            private boolean taskEnd;

            /** The last write handed to the writer thread (its writes are in order). */
            private Future<?> pending;

            /** A background write's failure, and its iteration; the run stops at its next step. */
            private volatile IOException failed;

            private volatile int failedAt;

            @Override
            public RunState restore() {
                if (!resume) return null;
                try {
                    return load(id);
                } catch (IOException e) {
                    throw new UncheckedIOException(e.getMessage(), e);
                }
            }

            @Override
            public boolean due(int t, boolean taskEnd) {
                stopIfFailed(t);
                this.taskEnd = taskEnd;
                return taskEnd || (every > 0 && t % every == 0);
            }

            private void stopIfFailed(int t) {
                IOException e = failed;
                if (e != null)
                    throw new UncheckedIOException(
                            e.getMessage()
                                    + "; the run stopped at iteration "
                                    + t
                                    + " (the checkpoint of iteration "
                                    + failedAt
                                    + " failed)",
                            e);
            }

            @Override
            public void save(RunState s) {
                stopIfFailed(s.t());
                try {
                    Files.createDirectories(dir);
                } catch (IOException e) {
                    throw new UncheckedIOException(
                            "cannot create checkpoint folder " + dir + ": " + AtomicFile.reason(e),
                            e);
                }
                Path f = file(id.method(), id.run());
                byte[] bytes = Checkpoint.encode(id, s, engine);
                Path copy =
                        keepTaskEnds && taskEnd && !s.complete()
                                ? dir.resolve(id.method() + "-run" + id.run() + "-t" + s.t() + EXT)
                                : null;
                if (!ASYNC || s.complete()) {
                    // the finished state: durable before the run counts as finished (results.json
                    // lists it, the command may prune), after every earlier write of this run
                    awaitPending();
                    stopIfFailed(s.t());
                    try {
                        write(f, bytes, copy);
                    } catch (IOException e) {
                        throw new UncheckedIOException(
                                e.getMessage() + "; the run stopped at iteration " + s.t(), e);
                    }
                    return;
                }
                int t = s.t();
                pending =
                        writer().submit(
                                        () -> {
                                            try {
                                                write(f, bytes, copy);
                                            } catch (IOException | RuntimeException e) {
                                                failedAt = t;
                                                failed =
                                                        e instanceof IOException io
                                                                ? io
                                                                : new IOException(
                                                                        "cannot write "
                                                                                + f
                                                                                + ": "
                                                                                + e,
                                                                        e);
                                            }
                                        });
            }

            /** Waits for this run's writes in flight (milliseconds), keeping an interrupt. */
            private void awaitPending() {
                Background.await(pending); // the task records its own failure
                pending = null;
            }
        };
    }

    /**
     * Task-end and periodic checkpoints are written on a background thread, so that the run trains
     * on while the file is written and fsynced (~20-30 ms for an MNIST run's 3 MB; 225 of them in
     * {@code reproduce mnist}); a failed write stops the run at its next iteration. {@code
     * -Darm.checkpoint.async=false} writes each on the run's thread.
     */
    static final boolean ASYNC = !"false".equals(System.getProperty("arm.checkpoint.async"));

    private ExecutorService writer;

    /** The one writer thread of this folder's background checkpoints (in submission order). */
    private synchronized ExecutorService writer() {
        if (writer == null) writer = Background.thread("arm-checkpoints");
        return writer;
    }

    private void write(Path f, byte[] bytes, Path copy) throws IOException {
        AtomicFile.write(f, bytes);
        if (copy != null) keepCopy(f, copy);
    }

    /**
     * A lasting copy of the checkpoint just written (a hard link: the next write replaces f, not
     * it).
     */
    private static void keepCopy(Path f, Path copy) throws IOException {
        Files.deleteIfExists(copy);
        try {
            Files.createLink(copy, f);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(f, copy);
        }
    }

    /**
     * Options added after checkpoints first existed, each with the value that behaves as the code
     * did before the option: a checkpoint written without the key counts as having that value, so
     * older checkpoints still resume.
     */
    static final Map<String, String> ADDED_LATER =
            Map.of("dedup", "off", "resnet_nf", "20", "device", "cpu", "rng", "ours");

    /**
     * The options a results folder saved, plus each option of {@code known} (the method's options
     * in this build) that was added after the folder was written, at its old behaviour: a resumed
     * run continues as it started even where a default has changed since (dedup).
     */
    public static Map<String, String> asWritten(Map<String, String> saved, Set<String> known) {
        Map<String, String> out = new LinkedHashMap<>(saved);
        for (var e : ADDED_LATER.entrySet())
            if (known.contains(e.getKey())) out.putIfAbsent(e.getKey(), e.getValue());
        return out;
    }

    /** What differs between a checkpoint's run and the run asking for it, or null. */
    static String difference(Checkpoint.Identity saved, Checkpoint.Identity now) {
        if (!saved.method().equals(now.method()))
            return "method " + saved.method() + ", not " + now.method();
        if (saved.run() != now.run()) return "run " + saved.run() + ", not " + now.run();
        if (saved.seed() != now.seed()) return "seed " + saved.seed() + ", not " + now.seed();
        if (saved.maxT() != now.maxT()) return "max_t " + saved.maxT() + ", not " + now.maxT();
        if (saved.numClasses() != now.numClasses())
            return "K " + saved.numClasses() + ", not " + now.numClasses();
        if (!saved.options().equals(now.options())) {
            TreeSet<String> keys = new TreeSet<>(saved.options().keySet());
            keys.addAll(now.options().keySet());
            for (String k : keys) {
                String was =
                        saved.options().containsKey(k)
                                ? saved.options().get(k)
                                : ADDED_LATER.get(k);
                if (!Objects.equals(was, now.options().get(k)))
                    return "option "
                            + k
                            + " is "
                            + was
                            + " there, "
                            + now.options().get(k)
                            + " here";
            }
        }
        if (!saved.data().equals(now.data()))
            return "its data differ ("
                    + FileFormatException.oneLine(saved.data())
                    + " there, "
                    + now.data()
                    + " here)";
        return null;
    }
}

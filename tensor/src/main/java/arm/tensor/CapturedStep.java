package arm.tensor;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A unit of work (e.g. one refinement step) run eagerly the first time for each shape, captured the
 * second, and replayed from then on (while the key stays the same, across any number of calls of
 * run). It holds up to {@code capacity} graphs, one per key (1 unless asked for more): a key that
 * is not held is warmed up and captured anew, and when the cache is full the least recently run
 * graph is dropped with its pool (CUDA 12.6's JCuda binds no cuGraphExecUpdate, so a graph is
 * re-instantiated, not updated). A cache of several serves work whose shape alternates between a
 * few values (the number of distinct recalled images U) without re-capturing. When the backend
 * cannot capture, or a capture fails (the step waits for the host somewhere), the step runs eagerly
 * from then on and {@link #fallback} says why.
 *
 * <p>The first eager run of a shape is the warm-up: it lets the backend pick algorithms, size
 * workspaces and fill caches, so that the captured run allocates and uploads nothing new. The last
 * {@code capacity} keys warmed count as warmed, so keys that alternate (step B of U = 9, then of U
 * = 8, ...) are captured at their second run; if other keys ran in between and the capture then
 * fails (a cache dropped what the warm-up filled, and the step waits for an upload), that run is
 * eager and counts as the key's warm-up again, not as a reason to stop capturing.
 *
 * <p>A replay runs no host code of the step. Host work the step must do on every run (a counter, a
 * value that changes per run) is declared with {@link #everyRun}: run at once when eager, recorded
 * while capturing and run before each launch of the graph. A value the step's kernels read that
 * changes per run goes to a device scalar written by such an effect (e.g. with {@link
 * Backend#fill}), so the graph reads it from device memory; {@link #callIndex} tells a layer
 * applied several times within one step which of its scalars a call uses.
 */
public final class CapturedStep implements AutoCloseable {
    private final Backend backend;
    private final int capacity;

    /** The keys warmed up last (up to capacity), and the key of the latest run. */
    private final LinkedHashMap<String, Boolean> warmed;

    private String lastRun;

    /** A captured graph and the host effects run before each of its launches. */
    private record Held(GraphCapture.Graph graph, List<Runnable> effects) {}

    /** The graphs held, by key, least recently run first. */
    private final LinkedHashMap<String, Held> held = new LinkedHashMap<>(8, 0.75f, true);

    private String fallback;
    private int eager, captures, replays;

    /** Totals over every CapturedStep of the process, for the benchmarks' one-line summary. */
    private static final AtomicLong TOTAL_EAGER = new AtomicLong(),
            TOTAL_CAPTURES = new AtomicLong(),
            TOTAL_REPLAYS = new AtomicLong();

    private static volatile String lastFallback;

    public CapturedStep(Backend backend) {
        this(backend, 1);
    }

    /** A step that holds up to {@code capacity} graphs, one per key. */
    public CapturedStep(Backend backend, int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity " + capacity + " < 1");
        this.backend = backend;
        this.capacity = capacity;
        this.warmed =
                new LinkedHashMap<>(8, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, Boolean> e) {
                        return size() > capacity;
                    }
                };
    }

    /**
     * Runs {@code step} for shape {@code shapeKey}: eagerly, by capturing it, or by replaying its
     * graph.
     */
    public void run(String shapeKey, Runnable step) {
        GraphCapture cap = fallback == null ? backend.graphCapture() : null;
        if (cap == null) {
            if (fallback == null)
                fallback = "the " + backend.device() + " backend does not capture graphs";
            runEager(step);
            return;
        }
        Held h = held.get(shapeKey); // a hit makes it the most recently run
        if (h != null) {
            lastRun = shapeKey;
            launch(h);
            replays++;
            TOTAL_REPLAYS.incrementAndGet();
            return;
        }
        if (warmed.get(shapeKey) == null) {
            // the last {capacity} keys warmed count as warmed (with a capacity of 1, only the
            // latest: a key seen again after others is warmed again)
            warmed.put(shapeKey, Boolean.TRUE);
            lastRun = shapeKey;
            runEager(step);
            return;
        }
        // warmed just before, or with other keys' runs in between (steps that alternate)
        boolean fresh = shapeKey.equals(lastRun);
        lastRun = shapeKey;
        // room for the new graph: the least recently run ones go, with their pools
        while (held.size() >= capacity) drop(held.keySet().iterator().next());
        Recording rec = new Recording();
        GraphCapture.Graph graph;
        CAPTURING.set(rec);
        try {
            cap.begin();
            step.run();
            graph = cap.end();
        } catch (RuntimeException e) {
            cap.abort();
            CAPTURING.remove();
            if (!fresh) {
                // other keys ran since its warm-up, and the backend's caches may have dropped what
                // it filled (an index copy then uploaded, a host wait): this run warms it again
                runEager(step);
                return;
            }
            fallback = "capture failed: " + String.valueOf(e.getMessage()).split("\n")[0];
            CAPTURING.remove();
            if (lastFallback == null)
                System.err.println(
                        "graph capture: steps run eagerly from here on (" + fallback + ")");
            lastFallback = fallback;
            runEager(step);
            return;
        } finally {
            CAPTURING.remove();
        }
        h = new Held(graph, rec.effects);
        held.put(shapeKey, h);
        captures++;
        TOTAL_CAPTURES.incrementAndGet();
        launch(h);
    }

    /** The step's host effects, then its graph (in the step's order: effects are host work). */
    private static void launch(Held h) {
        for (Runnable e : h.effects) e.run();
        try (Profile.Section p = Profile.phase(REPLAY)) {
            h.graph.launch();
        }
    }

    /** The profile phase of a graph launch (a captured step's phases are not marked inside it). */
    public static final String REPLAY = "graph replay";

    /** What the step under capture on this thread declared. */
    private static final class Recording {
        final List<Runnable> effects = new ArrayList<>();
        final Map<Object, Integer> calls = new IdentityHashMap<>();
    }

    private static final ThreadLocal<Recording> CAPTURING = new ThreadLocal<>();

    /** Whether a step is being captured on this thread (its device work is recorded, not run). */
    public static boolean capturing() {
        return CAPTURING.get() != null;
    }

    /**
     * Host work the step must do on every run: done now when no step is being captured on this
     * thread; while capturing, recorded and done before each launch of the graph, in the order
     * declared (before the graph's device work, so device work queued by an effect, such as a fill,
     * precedes the graph on the stream). An effect must compute what changes per run itself, when
     * it runs, not capture it when declared.
     */
    public static void everyRun(Runnable effect) {
        Recording r = CAPTURING.get();
        if (r == null) effect.run();
        else r.effects.add(effect);
    }

    /**
     * While a step is being captured on this thread, how often {@code owner} asked before within
     * this capture (0 for its first call, 1 for its second...): every effect runs before the graph,
     * so a layer applied twice in one step needs a device scalar per call. -1 when not capturing.
     */
    public static int callIndex(Object owner) {
        Recording r = CAPTURING.get();
        if (r == null) return -1;
        return r.calls.merge(owner, 1, Integer::sum) - 1;
    }

    private void runEager(Runnable step) {
        eager++;
        TOTAL_EAGER.incrementAndGet();
        step.run();
    }

    /**
     * Drops the graph of {@code key} and its pool, if held (before the buffers it reads are freed);
     * the next run with that key warms up and captures anew.
     */
    public void drop(String key) {
        Held h = held.remove(key);
        if (h != null) h.graph.close();
    }

    /** The keys of the graphs held, least recently run first. */
    public List<String> heldKeys() {
        return List.copyOf(held.keySet());
    }

    /** Why steps run eagerly, or null while capture works. */
    public String fallback() {
        return fallback;
    }

    public int eagerRuns() {
        return eager;
    }

    /** How many graphs were captured (one per key not held when it ran after its warm-up). */
    public int captures() {
        return captures;
    }

    public int replays() {
        return replays;
    }

    /**
     * One line over every CapturedStep of the process: captures, replays, eager runs and the last
     * reason for running eagerly.
     */
    public static String summary() {
        return String.format(
                "graphs: %d captured, %d replays, %d eager runs%s",
                TOTAL_CAPTURES.get(),
                TOTAL_REPLAYS.get(),
                TOTAL_EAGER.get(),
                lastFallback == null ? "" : " (last fallback: " + lastFallback + ")");
    }

    @Override
    public void close() {
        for (String k : heldKeys()) drop(k);
    }
}

package arm.tensor;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A unit of work (e.g. one refinement step) run eagerly the first time for each shape, captured the
 * second, and replayed from then on; a new shape key drops the old graph and its pool and starts
 * again (CUDA 12.6's JCuda binds no cuGraphExecUpdate, so a graph is re-instantiated, not updated).
 * When the backend cannot capture, or a capture fails (the step waits for the host somewhere), the
 * step runs eagerly from then on and {@link #fallback} says why.
 *
 * <p>The first eager run of a shape is the warm-up: it lets the backend pick algorithms, size
 * workspaces and fill caches, so that the captured run allocates and uploads nothing new.
 */
public final class CapturedStep implements AutoCloseable {
    private final Backend backend;
    private final Set<String> warmed = new HashSet<>();
    private String key;
    private GraphCapture.Graph graph;
    private String fallback;
    private int eager, captures, replays;

    /** Totals over every CapturedStep of the process, for the benchmarks' one-line summary. */
    private static final AtomicLong TOTAL_EAGER = new AtomicLong(),
            TOTAL_CAPTURES = new AtomicLong(),
            TOTAL_REPLAYS = new AtomicLong();

    private static volatile String lastFallback;

    public CapturedStep(Backend backend) {
        this.backend = backend;
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
        if (graph != null && shapeKey.equals(key)) {
            graph.launch();
            replays++;
            TOTAL_REPLAYS.incrementAndGet();
            return;
        }
        if (warmed.add(shapeKey)) {
            runEager(step);
            return;
        }
        dropGraph();
        try {
            cap.begin();
            step.run();
            graph = cap.end();
        } catch (RuntimeException e) {
            cap.abort();
            fallback = "capture failed: " + String.valueOf(e.getMessage()).split("\n")[0];
            if (lastFallback == null)
                System.err.println(
                        "graph capture: steps run eagerly from here on (" + fallback + ")");
            lastFallback = fallback;
            runEager(step);
            return;
        }
        key = shapeKey;
        captures++;
        TOTAL_CAPTURES.incrementAndGet();
        graph.launch();
    }

    private void runEager(Runnable step) {
        eager++;
        TOTAL_EAGER.incrementAndGet();
        step.run();
    }

    private void dropGraph() {
        if (graph != null) graph.close();
        graph = null;
        key = null;
    }

    /** Why steps run eagerly, or null while capture works. */
    public String fallback() {
        return fallback;
    }

    public int eagerRuns() {
        return eager;
    }

    /** How many graphs were captured (one per shape change). */
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
        dropGraph();
    }
}

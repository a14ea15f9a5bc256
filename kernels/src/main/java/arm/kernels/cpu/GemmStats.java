package arm.kernels.cpu;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Calls and wall nanoseconds of {@link CpuGemm#sgemm} by shape (M×K×N and the transposes), for the
 * per-GEMM breakdown of an iteration ({@code ArmIterationTiming … gemms=on}). Off unless {@code
 * -Darm.gemm.stats=true}: then every call costs two {@code System.nanoTime()} and a map update, so
 * the times are for shares, not for the iteration's total.
 */
public final class GemmStats {
    private GemmStats() {}

    /** Read once; a constant the JIT folds away when off. */
    public static final boolean ON = Boolean.getBoolean("arm.gemm.stats");

    /** One shape's totals. */
    public static final class Entry {
        public final String shape;
        public final double flopsPerCall;
        public long calls, nanos;

        Entry(String shape, double flopsPerCall) {
            this.shape = shape;
            this.flopsPerCall = flopsPerCall;
        }
    }

    private static final Map<String, Entry> BY_SHAPE = new HashMap<>();

    static synchronized void record(
            boolean transA, boolean transB, int m, int n, int k, long nanos) {
        String key = m + "x" + k + "x" + n + ":" + (transA ? "t" : "n") + (transB ? "t" : "n");
        Entry e = BY_SHAPE.computeIfAbsent(key, s -> new Entry(s, 2.0 * m * n * k));
        e.calls++;
        e.nanos += nanos;
    }

    /** Forgets everything recorded so far (after a warm-up). */
    public static synchronized void reset() {
        BY_SHAPE.clear();
    }

    /** The shapes recorded since the last reset, most time first. */
    public static synchronized List<Entry> entries() {
        List<Entry> l = new ArrayList<>(BY_SHAPE.values());
        l.sort((a, b) -> Long.compare(b.nanos, a.nanos));
        return l;
    }
}

package arm.tensor;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Host arrays handed back by a recycling {@link Scope} when it closes, kept per thread and by exact
 * length for the next tensor of that size: an ARM refinement step allocates the same shapes S times
 * per iteration, so after the first step its temporaries (about 1 GB per CIFAR iteration) come from
 * here instead of the JVM, which would zero them and collect them again.
 *
 * <p>A recycled array holds whatever its last user left. {@link Backend#empty} hands it out as it
 * is (the op overwrites every element), {@link Backend#zeros} clears it first. With {@code
 * -Darm.pool.poison=true} (or {@link #poison}) every array {@code empty} hands out is filled with
 * NaN first, so an op that reads an element before writing it shows up in the results.
 */
public final class HostPool {
    private HostPool() {}

    private static final ThreadLocal<Map<Integer, ArrayDeque<float[]>>> FREE =
            ThreadLocal.withInitial(HashMap::new);

    private static volatile boolean poison = Boolean.getBoolean("arm.pool.poison");

    /** Tests: fill every array {@code empty} hands out with NaN (true) or not. */
    public static void poison(boolean on) {
        poison = on;
    }

    /**
     * An array of exactly n floats: a recycled one (zeroed when {@code zero}, else as it was left,
     * or NaN when poisoned) or a fresh one.
     */
    static float[] take(int n, boolean zero) {
        ArrayDeque<float[]> q = FREE.get().get(n);
        float[] a = q == null ? null : q.pollLast();
        if (a == null) a = new float[n];
        else if (zero) Arrays.fill(a, 0f);
        if (!zero && poison) Arrays.fill(a, Float.NaN);
        return a;
    }

    /** Returns an array that nothing will read or write again to this thread's pool. */
    static void give(float[] a) {
        FREE.get().computeIfAbsent(a.length, k -> new ArrayDeque<>()).addLast(a);
    }

    /** Drops this thread's pooled arrays (to the GC). */
    public static void clear() {
        FREE.get().clear();
    }

    /** Floats held in this thread's pool (for tests and measurements). */
    public static long pooledFloats() {
        long n = 0;
        for (Map.Entry<Integer, ArrayDeque<float[]>> e : FREE.get().entrySet())
            n += (long) e.getKey() * e.getValue().size();
        return n;
    }
}

package arm.tensor;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

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

    private static final ThreadLocal<Free> FREE = ThreadLocal.withInitial(Free::new);

    /**
     * At most an eighth of the heap is held by all threads' pools together: beyond it arrays go
     * back to the GC. Pooled arrays live in the old generation, which the launcher makes half the
     * heap for the image datasets; a larger share let two concurrent MiniImageNet GEN rows fill it
     * and collect it in full several times per iteration. A CIFAR ARM step recycles about 1 GB,
     * which the default heap's eighth holds.
     */
    private static volatile long capFloats = Runtime.getRuntime().maxMemory() / 8 / Float.BYTES;

    /** Tests: the cap on all pools together, in floats; returns the one it replaces. */
    static long cap(long floats) {
        long old = capFloats;
        capFloats = floats;
        return old;
    }

    /**
     * Floats held in all threads' pools. A thread that ends without {@link #clear} leaves its count
     * here: later pools then hold less, which costs speed, never memory or results.
     */
    private static final AtomicLong HELD = new AtomicLong();

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
        Free f = FREE.get();
        ArrayDeque<float[]> q = n == 0 ? null : f.list(n, false);
        float[] a = q == null ? null : q.pollLast();
        if (a != null) {
            f.floats -= n;
            HELD.addAndGet(-n);
        }
        if (a == null) a = new float[n];
        else if (zero) Arrays.fill(a, 0f);
        if (!zero && poison) Arrays.fill(a, Float.NaN);
        return a;
    }

    /** Returns an array that nothing will read or write again to this thread's pool. */
    static void give(float[] a) {
        Free f = FREE.get();
        if (a.length == 0 || HELD.addAndGet(a.length) > capFloats) {
            if (a.length > 0) HELD.addAndGet(-a.length);
            return; // past the cap: to the GC
        }
        f.list(a.length, true).addLast(a);
        f.floats += a.length;
    }

    /** Drops this thread's pooled arrays (to the GC). */
    public static void clear() {
        HELD.addAndGet(-FREE.get().floats);
        FREE.set(new Free());
    }

    /** Floats held in this thread's pool (for tests and measurements). */
    public static long pooledFloats() {
        Free f = FREE.get();
        long n = 0;
        for (int i = 0; i < f.keys.length; i++)
            if (f.keys[i] != 0) n += (long) f.keys[i] * f.lists[i].size();
        return n;
    }

    /**
     * Free lists by length in an open-addressing table, no boxing. Tensor sizes are mostly
     * multiples of large powers of two, which {@code HashMap}'s hash (the low bits of the length)
     * would leave in a few buckets; a Fibonacci hash spreads them.
     */
    private static final class Free {
        int[] keys = new int[64]; // 0: empty slot (empty arrays are never pooled)

        @SuppressWarnings("unchecked")
        ArrayDeque<float[]>[] lists = new ArrayDeque[64];

        int used;

        long floats; // held in all lists

        ArrayDeque<float[]> list(int n, boolean create) {
            int mask = keys.length - 1;
            for (int i = slot(n, mask); ; i = (i + 1) & mask) {
                if (keys[i] == n) return lists[i];
                if (keys[i] == 0) {
                    if (!create) return null;
                    if (2 * (used + 1) > keys.length) {
                        grow();
                        return list(n, true);
                    }
                    keys[i] = n;
                    used++;
                    return lists[i] = new ArrayDeque<>();
                }
            }
        }

        private static int slot(int n, int mask) {
            return (int) ((n * 0x9E3779B97F4A7C15L) >>> 40) & mask;
        }

        private void grow() {
            int[] oldKeys = keys;
            ArrayDeque<float[]>[] oldLists = lists;
            keys = new int[oldKeys.length * 2];
            @SuppressWarnings("unchecked")
            ArrayDeque<float[]>[] l = new ArrayDeque[oldKeys.length * 2];
            lists = l;
            int mask = keys.length - 1;
            for (int j = 0; j < oldKeys.length; j++) {
                if (oldKeys[j] == 0) continue;
                int i = slot(oldKeys[j], mask);
                while (keys[i] != 0) i = (i + 1) & mask;
                keys[i] = oldKeys[j];
                lists[i] = oldLists[j];
            }
        }
    }
}

package arm.tensor;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Host arrays handed back by a recycling {@link Scope} when it closes, kept per thread and by exact
 * length for the next tensor of that size: an ARM refinement step allocates the same shapes S times
 * per iteration, so after the first step its temporaries (about 1.3 GB per replicated CIFAR step)
 * come from here instead of the JVM, which would zero them and collect them again.
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
     * All threads' pools together hold an eighth of the heap, and past it only what their steps
     * reuse: a thread may keep up to twice the most that one of its recycling scopes handed back
     * (so a step's arrays, and those of a second kind of step alternating with it, wait for the
     * next one), with all pools together under three eighths of the heap. Beyond that arrays go
     * back to the GC, which then zeroes fresh ones and copies the live ones of every step it
     * interrupts. A replicated CIFAR ARM refinement step hands back about 1.3 GB over its two
     * threads (a duplicate-aware one 0.13 GB), more than an eighth of a 6 GB heap; below the cap
     * nothing changes. Pooled arrays live in the old generation, which the launcher makes half the
     * heap for the image datasets: only ARM's and ADI's steps recycle (GEN's do not), so the pools
     * grow past the eighth only in runs whose steps need that memory anyway.
     */
    private static volatile long capFloats = Runtime.getRuntime().maxMemory() / 8 / Float.BYTES;

    /** Tests: the base cap on all pools together, in floats (the ceiling is three times it). */
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

    /**
     * A recycling scope on this thread is about to hand back {@code floats} in all: the largest
     * such return is the thread's step, which its pool may keep past the base cap.
     */
    static void returning(long floats) {
        Free f = FREE.get();
        if (floats <= f.step) return;
        STEPS.addAndGet(floats - f.step);
        f.step = floats;
    }

    /** The sum of every thread's step (see {@link #returning}), for measurements. */
    private static final AtomicLong STEPS = new AtomicLong();

    /** Floats in all threads' largest steps together (for measurements). */
    public static long stepFloats() {
        return STEPS.get();
    }

    /** Returns an array that nothing will read or write again to this thread's pool. */
    static void give(float[] a) {
        Free f = FREE.get();
        int n = a.length;
        if (n == 0) return;
        long cap = capFloats, held = HELD.addAndGet(n);
        if (held > cap && (held > 3 * cap || f.floats + n > 2 * f.step)) {
            HELD.addAndGet(-n);
            return; // past the cap: to the GC
        }
        f.list(n, true).addLast(a);
        f.floats += n;
    }

    /** Drops this thread's pooled arrays (to the GC). */
    public static void clear() {
        Free f = FREE.get();
        HELD.addAndGet(-f.floats);
        STEPS.addAndGet(-f.step);
        FREE.set(new Free());
    }

    /** Floats held in all threads' pools together (for measurements). */
    public static long heldFloats() {
        return HELD.get();
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

        long step; // the most one recycling scope on this thread has handed back

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

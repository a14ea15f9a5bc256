package arm.kernels.cpu.fast;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Rearranged copies of a weight array (a convolution's packed or flipped weights), kept per calling
 * thread and reused while the weights hold the same bits. ARM's S refinement steps run both
 * networks forward and backward with fixed weights, so a layer's packs are made once per weight
 * change instead of once per call.
 *
 * <p>Each weight array (by identity, weakly held) has one saved copy of its first {@code len}
 * floats; a call compares the array with it (a sequential read, cheaper than the strided packing)
 * and, when any bit differs, takes a new copy and marks every pack of that array stale. A pack is a
 * pure function of the weights' bits and its key, so a reused pack is exactly the one a fresh call
 * would make. Callers must not write into a returned pack.
 *
 * <p>A caller may also promise that an array keeps its values ({@link #hold}, through {@code
 * Backend.holdConstant}: ARM's f_old and f_cur through a recall). The first call after the promise
 * compares as above; later calls trust the saved copy until {@link #release}, and so do calls on a
 * pack of a held array (the flipped weights of an input gradient, themselves packed again), which
 * is not rewritten while its source is trusted.
 */
public final class WeightPacks {
    private WeightPacks() {}

    /** Fills {@code out} (of the requested size) from the weights {@code w}. */
    public interface Packer {
        void pack(float[] w, float[] out);
    }

    /** {@code -Darm.packs=false}: every call packs afresh (for comparison; the same bits). */
    private static volatile boolean on = !"false".equals(System.getProperty("arm.packs", "true"));

    /** Tests and measurements: whether packs are reused (true by default). */
    public static void reuse(boolean enabled) {
        on = enabled;
    }

    private static final ThreadLocal<Map<float[], Weights>> CACHE =
            ThreadLocal.withInitial(WeakHashMap::new);

    /** {@code -Darm.packs.hold=false}: promises are ignored, every call compares (same bits). */
    private static volatile boolean holding =
            !"false".equals(System.getProperty("arm.packs.hold", "true"));

    /** Tests and measurements: whether {@link #hold} promises are used (true by default). */
    public static void holding(boolean enabled) {
        holding = enabled;
    }

    /** One promise: the array keeps its values until released. Weakly held, like the cache. */
    public static final class Held {
        final WeakReference<float[]> w;

        Held(float[] w) {
            this.w = new WeakReference<>(w);
        }
    }

    /** Live promises; copied on write, read without a lock. */
    private static volatile Held[] held = new Held[0];

    /**
     * The caller promises that w keeps its values until {@link #release} of the returned handle
     * (null when promises are off); writing into w before that gives stale packs.
     */
    public static Held hold(float[] w) {
        if (!holding) return null;
        Held h = new Held(w);
        synchronized (WeightPacks.class) {
            List<Held> next = new ArrayList<>(held.length + 1);
            for (Held o : held) if (o.w.get() != null) next.add(o);
            next.add(h);
            held = next.toArray(new Held[0]);
        }
        return h;
    }

    /** Ends the promise of {@code h} (null is ignored): calls compare w again. */
    public static void release(Held h) {
        if (h == null) return;
        synchronized (WeightPacks.class) {
            Held[] old = held;
            int i = 0;
            while (i < old.length && old[i] != h) i++;
            if (i == old.length) return;
            Held[] next = new Held[old.length - 1];
            System.arraycopy(old, 0, next, 0, i);
            System.arraycopy(old, i + 1, next, i, old.length - i - 1);
            held = next;
        }
    }

    /** The live promise on w, or null. */
    private static Held heldOf(float[] w) {
        for (Held h : held) if (h.w.get() == w) return h;
        return null;
    }

    /** The saved copy of one weight array and its packs by key. */
    private static final class Weights {
        float[] saved = new float[0];
        int len, generation;
        final Map<Key, Pack> packs = new HashMap<>();

        /**
         * The promise under which w was last compared (its own, or, for a pack of a held array, its
         * source's); while that promise lives, w equals the saved copy without a comparison.
         */
        Held trusted;

        /**
         * For a pack made here: the entry of the array it was made from (else null); weakly, since
         * that entry holds the pack, whose own entry must not keep it.
         */
        WeakReference<Weights> source;

        /** Whether w's first len floats equal the saved copy; if not, the copy is renewed. */
        boolean unchanged(float[] w, int n) {
            if (n == len && Arrays.equals(w, 0, n, saved, 0, n)) return true;
            if (saved.length < n) saved = new float[n];
            System.arraycopy(w, 0, saved, 0, n);
            len = n;
            generation++;
            return false;
        }
    }

    private static final class Pack {
        float[] data;
        int generation = -1;
    }

    /** What a pack is besides its weights: the packing's kind and every dimension it reads. */
    record Key(int kind, int[] dims) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.kind == kind && Arrays.equals(k.dims, dims);
        }

        @Override
        public int hashCode() {
            return 31 * kind + Arrays.hashCode(dims);
        }
    }

    /**
     * The pack of {@code size} floats that {@code packer} makes from w[0, len), identified by
     * {@code kind} and {@code dims} (everything besides the weights that the packing reads): the
     * calling thread's copy when w is unchanged since it was made, else made now.
     */
    public static float[] of(float[] w, int len, int size, Packer packer, int kind, int... dims) {
        if (!on) {
            float[] out = new float[size];
            packer.pack(w, out);
            return out;
        }
        float[] ahead = PacksAhead.served(w, size, packer, kind, dims);
        if (ahead != null) return ahead;
        Map<float[], Weights> cache = CACHE.get();
        Weights e = cache.get(w);
        if (e == null) cache.put(w, e = new Weights());
        Held promise = holding ? promise(w, e) : null;
        if (promise == null || e.trusted != promise || e.len != len) {
            e.unchanged(w, len);
            e.trusted = promise;
        }
        Pack p = e.packs.computeIfAbsent(new Key(kind, dims), k -> new Pack());
        if (p.data == null || p.data.length != size) {
            p.data = new float[size];
            p.generation = -1;
        }
        if (p.generation != e.generation) {
            packer.pack(w, p.data);
            p.generation = e.generation;
            Weights made = cache.get(p.data);
            if (made == null) cache.put(p.data, made = new Weights());
            made.source = new WeakReference<>(e);
        }
        return p.data;
    }

    /**
     * The promise covering w: its own, or for a pack of a trusted array (its entry's source) the
     * source's while the source is trusted under it (the pack is not rewritten meanwhile).
     */
    private static Held promise(float[] w, Weights e) {
        Held h = heldOf(w);
        if (h != null) return h;
        Weights src = e.source == null ? null : e.source.get();
        return src != null && src.trusted != null && heldOf(src.trusted) ? src.trusted : null;
    }

    private static boolean heldOf(Held h) {
        for (Held o : held) if (o == h) return true;
        return false;
    }

    /** Drops the calling thread's packs (tests). */
    public static void clear() {
        CACHE.remove();
    }
}

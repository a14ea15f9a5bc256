package arm.kernels.cpu.fast;

import java.util.Arrays;
import java.util.HashMap;
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

    /** The saved copy of one weight array and its packs by key. */
    private static final class Weights {
        float[] saved = new float[0];
        int len, generation;
        final Map<Key, Pack> packs = new HashMap<>();

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

    private record Key(int kind, int[] dims) {
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
        Map<float[], Weights> cache = CACHE.get();
        Weights e = cache.get(w);
        if (e == null) cache.put(w, e = new Weights());
        e.unchanged(w, len);
        Pack p = e.packs.computeIfAbsent(new Key(kind, dims), k -> new Pack());
        if (p.data == null || p.data.length != size) {
            p.data = new float[size];
            p.generation = -1;
        }
        if (p.generation != e.generation) {
            packer.pack(w, p.data);
            p.generation = e.generation;
        }
        return p.data;
    }

    /** Drops the calling thread's packs (tests). */
    public static void clear() {
        CACHE.remove();
    }
}

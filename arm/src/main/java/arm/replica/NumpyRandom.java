package arm.replica;

import arm.nn.Mt19937;

/**
 * numpy's legacy global generator (np.random.seed / np.random.shuffle / np.random.permutation):
 * {@link Mt19937} seeded with init_genrand, and shuffles drawing each index by masked rejection
 * ("random_interval": the smallest all-ones mask ≥ i, redraw 32-bit values until ≤ i).
 *
 * <p>The CIFAR10 loaders of the authors' code reseed numpy with 111 and shuffle with it
 * (ALGORITHM.md §4.3), so with this class our CIFAR10 train order is the authors' order exactly,
 * the same for every run, as theirs is. Checked against numpy 2.4 (RandomState is frozen for
 * compatibility) in NumpyRandomTest.
 */
public final class NumpyRandom {
    private final Mt19937 engine;

    /** np.random.seed(seed) for 0 ≤ seed &lt; 2^32. */
    public NumpyRandom(long seed) {
        if (seed < 0 || seed > 0xFFFFFFFFL)
            throw new IllegalArgumentException("numpy seeds are 32-bit: " + seed);
        engine = new Mt19937((int) seed);
    }

    /** The next raw 32-bit output (genrand_int32), as an unsigned value. */
    public long nextUint32() {
        return engine.nextUint32();
    }

    /**
     * A uniform integer in [0, max] by masked rejection (numpy's random_interval, max &lt; 2^32).
     */
    public int interval(int max) {
        if (max == 0) return 0;
        long mask = max;
        mask |= mask >>> 1;
        mask |= mask >>> 2;
        mask |= mask >>> 4;
        mask |= mask >>> 8;
        mask |= mask >>> 16;
        long v;
        while ((v = nextUint32() & mask) > max) {}
        return (int) v;
    }

    /**
     * np.random.shuffle of a 1-D array, in place: for i = n−1 … 1, swap a[i] with a[interval(i)].
     */
    public void shuffle(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = interval(i);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** np.random.permutation(n): a shuffled 0 … n−1. */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        shuffle(p);
        return p;
    }

    /**
     * np.random.choice(n, k, replace = k &gt; n), the authors' draw of recalled rows and of ADI's
     * classes: with replacement, k draws interval(n − 1) (legacy randint's masked rejection);
     * without, the first k of {@link #permutation}(n).
     */
    public int[] choice(int n, int k) {
        if (n <= 0 || k < 0) throw new IllegalArgumentException("choice(" + n + ", " + k + ")");
        if (k <= n) return java.util.Arrays.copyOf(permutation(n), k);
        int[] out = new int[k];
        for (int i = 0; i < k; i++) out[i] = interval(n - 1);
        return out;
    }
}

package arm.data;

/**
 * numpy's legacy global generator (np.random.seed / np.random.shuffle / np.random.permutation):
 * MT19937 seeded with init_genrand, and shuffles drawing each index by masked rejection
 * ("random_interval": the smallest all-ones mask ≥ i, redraw 32-bit values until ≤ i).
 *
 * <p>The CIFAR10 loaders of the authors' code reseed numpy with 111 and shuffle with it
 * (ARM-SPEC §4.3), so with this class our CIFAR10 train order is the authors' order exactly, the
 * same for every run, as theirs is. Checked against numpy 2.4 (RandomState is frozen for
 * compatibility) in NumpyRandomTest.
 */
public final class NumpyRandom {
  private static final int N = 624, M = 397;
  private final int[] mt = new int[N];
  private int pos;

  /** np.random.seed(seed) for 0 ≤ seed &lt; 2^32. */
  public NumpyRandom(long seed) {
    if (seed < 0 || seed > 0xFFFFFFFFL) throw new IllegalArgumentException("numpy seeds are 32-bit: " + seed);
    mt[0] = (int) seed;
    for (int i = 1; i < N; i++) mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
    pos = N;
  }

  /** The next raw 32-bit output (genrand_int32), as an unsigned value. */
  public long nextUint32() {
    if (pos >= N) twist();
    int y = mt[pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y & 0xFFFFFFFFL;
  }

  private void twist() {
    for (int i = 0; i < N; i++) {
      int y = (mt[i] & 0x80000000) | (mt[(i + 1) % N] & 0x7fffffff);
      mt[i] = mt[(i + M) % N] ^ (y >>> 1) ^ ((y & 1) != 0 ? 0x9908b0df : 0);
    }
    pos = 0;
  }

  /** A uniform integer in [0, max] by masked rejection (numpy's random_interval, max &lt; 2^32). */
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

  /** np.random.shuffle of a 1-D array, in place: for i = n−1 … 1, swap a[i] with a[interval(i)]. */
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
}

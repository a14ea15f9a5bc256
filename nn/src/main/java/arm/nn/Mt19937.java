package arm.nn;

/**
 * The Mersenne Twister MT19937 (Matsumoto and Nishimura, 1998), 32-bit outputs, seeded with the
 * reference init_genrand (state[0] = seed, state[i] = 1812433253·(state[i−1] ⊕ state[i−1] ≫ 30) +
 * i). Both generators the authors' code uses are this engine with this seeding: numpy's legacy
 * RandomState and PyTorch's CPU generator. They differ only in how they turn outputs into draws
 * ({@link TorchRandom}, arm.replica.NumpyRandom).
 */
public final class Mt19937 {
    private static final int N = 624, M = 397;
    private final int[] mt = new int[N];
    private int pos;

    /** init_genrand(seed): only the low 32 bits of the seed are used, as in both libraries. */
    public Mt19937(int seed) {
        mt[0] = seed;
        for (int i = 1; i < N; i++) mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
        pos = N;
    }

    /** The next output (genrand_int32), as an unsigned value in [0, 2^32). */
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
}

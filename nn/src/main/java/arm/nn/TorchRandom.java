package arm.nn;

/**
 * PyTorch's CPU generator (CPUGeneratorImpl, torch 1.x), for the draws the authors' MNIST runs make
 * with it: weight initialisation, the per-task random splits and the seeds a DataLoader draws. The
 * engine is {@link Mt19937} seeded by torch.manual_seed(seed) with the seed's low 32 bits.
 *
 * <ul>
 *   <li>random() is one engine output; random64() two, the first as the high word.
 *   <li>uniform_(from, to) on float32: x = (random() &amp; (2^24 − 1))·2^−24, then x·(to − from) +
 *       from in float32 arithmetic, with from and to first rounded to float32; one output per
 *       element in memory order.
 *   <li>randperm(n) (n &lt; 2^32/20, every size here): start from 0 … n−1 and for i = 0 … n−2 swap
 *       r[i] with r[i + random() mod (n − i)].
 *   <li>torch.empty((), dtype=int64).random_(): random64() mod 2^63 (a DataLoader's base seed and a
 *       RandomSampler's seed).
 * </ul>
 *
 * Checked value by value against torch 1.13 in TorchStreamsTest (fixture made by
 * scripts/torch-streams/golden.py).
 */
public final class TorchRandom {
    private static final float TWO_POW_MINUS_24 = 1.0f / (1 << 24);
    private final Mt19937 engine;

    public TorchRandom(long seed) {
        engine = new Mt19937((int) seed);
    }

    /** random(): one 32-bit output, unsigned. */
    public long random() {
        return engine.nextUint32();
    }

    /** random64(): two outputs, the first as the high 32 bits. */
    public long random64() {
        long hi = random();
        return hi << 32 | random();
    }

    /** torch.empty((), dtype=torch.int64).random_().item(): a non-negative long. */
    public long randomInt64() {
        return random64() & Long.MAX_VALUE;
    }

    /** Discards n outputs: the stream as it stands after draws this program does not need. */
    public void skip(long n) {
        for (long i = 0; i < n; i++) engine.nextUint32();
    }

    /** out.uniform_(from, to) for a float32 tensor of out.length elements. */
    public void uniform(float[] out, double from, double to) {
        float lo = (float) from, width = (float) to - lo;
        for (int i = 0; i < out.length; i++)
            out[i] = Math.fma((random() & 0xFFFFFF) * TWO_POW_MINUS_24, width, lo);
    }

    /** torch.randperm(n). */
    public int[] randperm(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        for (int i = 0; i < n - 1; i++) {
            int z = (int) (random() % (n - i));
            int tmp = r[i];
            r[i] = r[z + i];
            r[z + i] = tmp;
        }
        return r;
    }
}

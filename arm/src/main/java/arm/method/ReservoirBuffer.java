package arm.method;

import arm.tensor.Shape;
import arm.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The replay buffer of ER and ER-MIR (ALGORITHM.md §12.1): one global set of {@code capacity}
 * slots, no per-class or per-task quota, filled by reservoir sampling. A slot holds one real
 * training image as uint8 pixels (the images we feed are k/255, so one byte per value is lossless
 * and the buffer's size is exactly what the paper's "+sample memory" column counts), its label and
 * the task it came from.
 *
 * <p>Two insertion rules, both "fill the free slots in order, then replace at random":
 *
 * <ul>
 *   <li>{@link Rule#EXACT} (default): Vitter's algorithm R per sample. The i-th sample seen
 *       (1-based) replaces slot r ~ U{0, …, i−1} if r &lt; capacity, so after n samples every one
 *       of them is in the buffer with probability capacity/n.
 *   <li>{@link Rule#MIR}: the MIR code's batched variant (buffer.py add_reservoir). One n_seen, the
 *       count once the free slots are used up, serves every remaining sample of the batch: r ~ U[0,
 *       n_seen). Late samples are kept with probability ≈ capacity/n, but those seen just after the
 *       buffer fills are kept up to ~10% less or more often (N = 10, capacity 50).
 * </ul>
 *
 * Within one batch a later sample that draws the same slot as an earlier one overwrites it, in both
 * rules.
 */
final class ReservoirBuffer {
    enum Rule {
        EXACT,
        MIR
    }

    final int capacity;
    private final int[] itemShape;
    private final int itemSize;
    private final Rule rule;
    private final byte[] pixels;
    private final int[] labels, tasks;
    private int filled;
    private long seen;

    ReservoirBuffer(int capacity, int[] itemShape, Rule rule) {
        if (capacity <= 0)
            throw new IllegalArgumentException("buffer capacity must be positive, got " + capacity);
        this.capacity = capacity;
        this.itemShape = itemShape.clone();
        this.itemSize = Arrays.stream(itemShape).reduce(1, (a, b) -> a * b);
        this.rule = rule;
        this.pixels = new byte[capacity * itemSize];
        this.labels = new int[capacity];
        this.tasks = new int[capacity];
    }

    /** Slots in use (≤ capacity). */
    int size() {
        return filled;
    }

    /** Samples offered so far (n). */
    long seen() {
        return seen;
    }

    int label(int slot) {
        return labels[slot];
    }

    int task(int slot) {
        return tasks[slot];
    }

    /**
     * Offers a batch to the buffer.
     *
     * @param x [N, ...itemShape], values k/255 (not modified)
     * @param y N labels
     * @param task the task the batch belongs to
     * @return for each sample the slot it now occupies, or −1 if it was not stored (a later sample
     *     of the same batch may already have overwritten that slot again)
     */
    int[] add(Tensor x, int[] y, int task, SplittableRandom rng) {
        if (x.dim(0) != y.length || x.numel() != (long) y.length * itemSize)
            throw new IllegalArgumentException(
                    "buffer items are "
                            + itemSize
                            + " values; got a batch of shape "
                            + Shape.str(x.shape)
                            + " with "
                            + y.length
                            + " labels");
        float[] v = x.toArray();
        int[] slot = new int[y.length];
        long remainderStart =
                -1; // MIR: n_seen once the free slots are used up, fixed for the batch
        for (int i = 0; i < y.length; i++) {
            int s;
            if (filled < capacity) {
                s = filled++;
                seen++;
            } else {
                if (remainderStart < 0) remainderStart = seen;
                seen++;
                long bound = rule == Rule.EXACT ? seen : remainderStart;
                long r = (long) (rng.nextDouble() * bound);
                s = r < capacity ? (int) r : -1;
            }
            slot[i] = s;
            if (s >= 0) store(s, v, i, y[i], task);
        }
        for (int i = 0; i < y.length; i++) // a later sample of the batch took the slot over
        for (int j = i + 1; j < y.length && slot[i] >= 0; j++) if (slot[j] == slot[i]) slot[i] = -1;
        return slot;
    }

    private void store(int s, float[] v, int i, int label, int task) {
        for (int k = 0; k < itemSize; k++) {
            float q = v[i * itemSize + k] * 255f;
            int b = Math.round(q);
            if (b < 0 || b > 255 || Math.abs(q - b) > 1e-3f)
                throw new IllegalArgumentException(
                        "buffer stores uint8 images: value "
                                + v[i * itemSize + k]
                                + " of sample "
                                + i
                                + " is not k/255");
            pixels[s * itemSize + k] = (byte) b;
        }
        labels[s] = label;
        tasks[s] = task;
    }

    /**
     * The replay pool: the filled slots whose task is not {@code currentTask}, in slot order
     * (ALGORITHM.md §12.1 "sample"). Replay therefore never shows the current task's samples.
     */
    int[] pastSlots(int currentTask) {
        int n = 0;
        for (int s = 0; s < filled; s++) if (tasks[s] != currentTask) n++;
        int[] out = new int[n];
        for (int s = 0, j = 0; s < filled; s++) if (tasks[s] != currentTask) out[j++] = s;
        return out;
    }

    /**
     * Positions into a pool of {@code poolSize}: all of them in order if the pool holds at most
     * {@code k}, else k distinct positions drawn uniformly (a partial Fisher–Yates shuffle).
     */
    static int[] choose(int poolSize, int k, SplittableRandom rng) {
        int[] all = new int[poolSize];
        for (int i = 0; i < poolSize; i++) all[i] = i;
        if (poolSize <= k) return all;
        for (int i = 0; i < k; i++) {
            int j = i + rng.nextInt(poolSize - i), tmp = all[i];
            all[i] = all[j];
            all[j] = tmp;
        }
        return Arrays.copyOf(all, k);
    }

    /** The images of {@code slots} as a host tensor [slots.length, ...itemShape] in [0,1]. */
    Tensor images(int[] slots) {
        float[] out = new float[slots.length * itemSize];
        for (int b = 0; b < slots.length; b++)
            for (int k = 0; k < itemSize; k++)
                out[b * itemSize + k] = (pixels[slots[b] * itemSize + k] & 0xFF) / 255f;
        int[] shape = new int[itemShape.length + 1];
        shape[0] = slots.length;
        System.arraycopy(itemShape, 0, shape, 1, itemShape.length);
        return Tensor.of(out, shape);
    }

    int[] labels(int[] slots) {
        int[] out = new int[slots.length];
        for (int b = 0; b < slots.length; b++) out[b] = labels[slots[b]];
        return out;
    }

    /**
     * The buffer for a checkpoint: "buffer.count" (filled, seen), "buffer.labels", "buffer.tasks"
     * and "buffer.pixels" (the uint8 pixels packed eight to a long, little-endian).
     */
    Map<String, long[]> state() {
        long[] packed = new long[(pixels.length + 7) / 8];
        for (int i = 0; i < pixels.length; i++)
            packed[i >> 3] |= (pixels[i] & 0xFFL) << (8 * (i & 7));
        return Map.of(
                "buffer.count",
                new long[] {filled, seen},
                "buffer.labels",
                Arrays.stream(labels).asLongStream().toArray(),
                "buffer.tasks",
                Arrays.stream(tasks).asLongStream().toArray(),
                "buffer.pixels",
                packed);
    }

    /** Puts back what {@link #state} returned; the capacity and image size must be the same. */
    void restore(Map<String, long[]> v) {
        long[] count = v.get("buffer.count"),
                lab = v.get("buffer.labels"),
                tk = v.get("buffer.tasks"),
                px = v.get("buffer.pixels");
        if (count == null
                || lab == null
                || tk == null
                || px == null
                || count.length != 2
                || lab.length != capacity
                || tk.length != capacity
                || px.length != (pixels.length + 7) / 8
                || count[0] < 0
                || count[0] > capacity
                || count[1] < count[0])
            throw new IllegalArgumentException(
                    "checkpoint lacks a valid replay buffer of "
                            + capacity
                            + " images of "
                            + itemSize
                            + " values");
        filled = (int) count[0];
        seen = count[1];
        for (int i = 0; i < capacity; i++) {
            labels[i] = (int) lab[i];
            tasks[i] = (int) tk[i];
        }
        for (int i = 0; i < pixels.length; i++) pixels[i] = (byte) (px[i >> 3] >>> (8 * (i & 7)));
    }

    /** Bytes of image memory at capacity, as the paper counts it (1 byte per grey or RGB value). */
    long bytes() {
        return (long) capacity * itemSize;
    }
}

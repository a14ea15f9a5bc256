package arm.method;

import arm.tensor.Backends;
import arm.tensor.Tensor;

/**
 * ARM's recalled batch stored as its distinct images (the {@code dedup} option, ALGORITHM.md §2.1).
 * With M &gt; N the M draws repeat real rows, and copies of one image get identical gradients and
 * stay identical through refinement, so the batch is U ≤ N distinct images with multiplicities w_u
 * (Σ w_u = M). Computing on the U images with every batch reduction counted (BatchNorm, the recall
 * loss, step B's mean) gives the replicated batch's results at about U/M of the cost.
 *
 * @param rows the real row each distinct image copies, in order of first draw [U]
 * @param counts w_u, how many of the M draws took rows[u] [U]
 * @param slot for each of the M draws, the index u of its distinct image [M]
 */
record DistinctRows(int[] rows, int[] counts, int[] slot) {

    /** The distinct rows of M draws from N real rows, ordered by first appearance. */
    static DistinctRows of(int[] drawn, int n) {
        int[] index = new int[n];
        java.util.Arrays.fill(index, -1);
        int[] rows = new int[drawn.length],
                counts = new int[drawn.length],
                slot = new int[drawn.length];
        int u = 0;
        for (int i = 0; i < drawn.length; i++) {
            int r = drawn[i];
            if (index[r] < 0) {
                index[r] = u;
                rows[u++] = r;
            }
            slot[i] = index[r];
            counts[index[r]]++;
        }
        return new DistinctRows(
                java.util.Arrays.copyOf(rows, u), java.util.Arrays.copyOf(counts, u), slot);
    }

    /** Whether some row was drawn more than once (otherwise there is nothing to save). */
    boolean repeats() {
        return rows.length < slot.length;
    }

    /** t's rows at {@code index}: [len(index), …] (the distinct images of x, or the expansion). */
    static Tensor pick(Tensor t, int[] index) {
        int d = t.numel() / t.dim(0);
        float[] src = t.toArray(), out = new float[index.length * d];
        for (int i = 0; i < index.length; i++) System.arraycopy(src, index[i] * d, out, i * d, d);
        int[] shape = t.shape.clone();
        shape[0] = index.length;
        return Backends.onDevice(t.device(), out, shape);
    }

    /** The distinct images of the real batch x [N, …]: [U, …]. */
    Tensor distinct(Tensor x) {
        return pick(x, rows);
    }

    /** The replicated batch [M, …] of a tensor over the distinct images [U, …]. */
    Tensor expand(Tensor t) {
        return pick(t, slot);
    }
}

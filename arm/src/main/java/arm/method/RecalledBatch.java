package arm.method;

import arm.autograd.Var;
import arm.nn.CountedForward;
import arm.nn.Module;
import arm.tensor.Backends;
import arm.tensor.Binary;
import arm.tensor.Device;
import arm.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * X̂, the batch one recall round refines (ALGORITHM.md §2.1): the M images drawn from the real
 * batch (or noise), the real rows they copy, and, with ARM's option {@code dedup}, how they are
 * stored. Stored replicated, {@code images} is [M, …]; stored distinct ({@code distinct} not null),
 * it is the U ≤ N distinct images with multiplicities w_u, every batch reduction counts image u w_u
 * times ({@link CountedForward}, the {@code counts} overloads of {@link RecallLoss}), and an input
 * step moves image u by one copy's gradient. The algorithm calls the same methods either way.
 *
 * @param images the images refined in place: [M, …] replicated, [U, …] distinct
 * @param rows the real row each of the M draws copies [M]; null after noise initialisation
 * @param distinct the distinct rows and their counts; null when stored replicated
 * @param countColumn null, or the counts as a device tensor [U] that {@link #perCopy} divides by (a
 *     fixed buffer that a graph reused across iterations reads)
 */
record RecalledBatch(Tensor images, int[] rows, DistinctRows distinct, Tensor countColumn) {

    RecalledBatch(Tensor images, int[] rows, DistinctRows distinct) {
        this(images, rows, distinct, null);
    }

    /**
     * M copies of the real rows {@code rows} of x, stored distinct when {@code dedup} is on and
     * some row repeats.
     */
    static RecalledBatch copies(Tensor x, int[] rows, boolean dedup) {
        if (dedup) {
            DistinctRows d = DistinctRows.of(rows, x.dim(0));
            if (d.repeats()) return new RecalledBatch(d.distinct(x), rows, d);
        }
        int n = x.dim(0), d = x.numel() / n, m = rows.length;
        int[] shape = x.shape.clone();
        shape[0] = m;
        float[] src = x.toArray(), out = new float[m * d];
        for (int i = 0; i < m; i++) System.arraycopy(src, rows[i] * d, out, i * d, d);
        return new RecalledBatch(
                ContinualMethod.onDevice(Tensor.of(out, shape), x.device()), rows, null);
    }

    /** M images of U[0, 1) noise shaped like the rows of x. */
    static RecalledBatch noise(Tensor x, int m, SplittableRandom rng) {
        int d = x.numel() / x.dim(0);
        int[] shape = x.shape.clone();
        shape[0] = m;
        float[] out = new float[m * d];
        for (int i = 0; i < out.length; i++) out[i] = (float) rng.nextDouble();
        return new RecalledBatch(
                ContinualMethod.onDevice(Tensor.of(out, shape), x.device()), null, null);
    }

    /** w_u for each stored image, or null when every stored image is one copy. */
    int[] counts() {
        return distinct == null ? null : distinct.counts();
    }

    /** net(x) on the stored images: the counted forward when they are distinct. */
    Var forward(Module net, Var x) {
        return distinct == null ? net.forward(x) : ((CountedForward) net).forward(x, counts());
    }

    /**
     * One copy's input gradient from g = ∂R/∂images: g itself, or row u divided by w_u (the
     * gradient of a distinct image sums its copies').
     */
    Tensor perCopy(Tensor g) {
        if (distinct == null) return g;
        int[] counts = counts();
        int[] shape = new int[g.rank()];
        Arrays.fill(shape, 1);
        shape[0] = counts.length;
        var be = Backends.of(g);
        // on a device the counts are built there (no upload, no host wait: a step stays capturable)
        Tensor col =
                countColumn != null
                        ? countColumn.reshape(shape)
                        : g.device() == Device.CPU
                                ? Tensor.of(RecallLoss.floats(counts), shape)
                                : RecallLoss.deviceIntegers(be, counts).reshape(shape);
        Tensor out = be.empty(g.shape);
        be.binary(Binary.DIV, g, col, out);
        return out;
    }

    /** The M replicated images. */
    Tensor replicated() {
        return replicated(images);
    }

    /** A tensor over the stored images ([U, …] or [M, …]) as M rows, one per copy. */
    Tensor replicated(Tensor t) {
        return distinct == null ? t : distinct.expand(t);
    }
}

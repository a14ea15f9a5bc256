package arm.method;

import arm.data.Dataset;
import arm.kernels.cpu.LinearEval;
import arm.metrics.Evaluator;
import arm.nn.Linear;
import arm.nn.Mlp;
import arm.tensor.Tensor;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The MLP's evaluation forward on the CPU without autograd, tensors or pools: three fused layers
 * ({@link LinearEval}: x·Wᵀ + b and ReLU in one pass, W packed once per evaluation) write the
 * logits of a batch of the dataset's images into a reused array.
 *
 * <p>Same logits, bit for bit, as {@code Mlp.forward} in eval mode: each layer's outputs are the
 * in-order FMA chains that the SIMD GEMM's panel path computes, plus the bias, then ReLU. A batch
 * that the GEMM would take through its dot path instead (fewer rows than {@link
 * LinearEval#sameBitsAsGemm}, e.g. val's last 3 images) goes through {@code fallback}, the module's
 * own forward. The first layer's chains skip the images' zero pixels (~81% of MNIST's; {@link
 * LinearEval#forward}), which leaves every bit as it is. Where that path is on, each batch's images
 * are prepared once ({@link Batch}): put in an order in which images with the same zero pixels sit
 * side by side ({@link ZeroPatternOrder}), turned into floats and their lists built; the logits
 * come back in the dataset's order. Otherwise the bytes become floats batch by batch.
 *
 * <p>The prepared batches are keyed by the dataset's pixel array: an evaluation set's pixels must
 * not change while it is evaluated (no code here writes into a dataset's arrays).
 */
final class MlpEval implements Evaluator.RowLogits {
    /** value/255 for every byte, as {@link Dataset#batch} computes it. */
    private static final float[] BYTE_TO_FLOAT = new float[256];

    static {
        for (int v = 0; v < 256; v++) BYTE_TO_FLOAT[v] = v / 255f;
    }

    private final int in, hidden, classes;
    private final LinearEval.Packed fc1, fc2, fc3;
    private final Evaluator.RowLogits fallback;
    private float[] x = new float[0], h1 = new float[0], h2 = new float[0], z = new float[0];
    private float[] out = new float[0];

    /**
     * Whether the batch's images run in {@link ZeroPatternOrder} (the same logits; fewer steps for
     * the zero-skipping first layer); {@code -Darm.evalOrder=false} runs them in dataset order.
     */
    static final boolean ORDER = !"false".equalsIgnoreCase(System.getProperty("arm.evalOrder", ""));

    /** Whether {@code net} on the CPU can use it (the SIMD kernel is there). */
    static boolean applies(Object net) {
        return net instanceof Mlp && LinearEval.available();
    }

    /** net's weights as they are now (packed copies); fallback: the module's forward. */
    MlpEval(Mlp net, Evaluator.RowLogits fallback) {
        this.in = net.in;
        this.hidden = net.hidden;
        this.classes = net.classes;
        this.fc1 = pack(net.fc1);
        this.fc2 = pack(net.fc2);
        this.fc3 = pack(net.fc3);
        this.fallback = fallback;
    }

    private static LinearEval.Packed pack(Linear l) {
        Tensor w = l.weight.value(), b = l.bias.value();
        return LinearEval.pack(w.data(), w.offset, b.data(), b.offset, l.out, l.in);
    }

    @Override
    public float[] logits(Dataset data, int start, int b) {
        if (!LinearEval.sameBitsAsGemm(b) || data.itemSize() != in)
            return fallback.logits(data, start, b);
        if (h1.length < b * hidden) {
            h1 = new float[b * hidden];
            h2 = new float[b * hidden];
            z = new float[b * classes];
            out = new float[b * classes];
        }
        if (ORDER && LinearEval.sparse()) {
            Batch batch = Batch.of(data, start, b, in);
            LinearEval.forward(batch.inputs, fc1, true, h1, 0);
            rest(b);
            for (int p = 0; p < b; p++)
                System.arraycopy(z, p * classes, out, batch.order[p] * classes, classes);
            return out;
        }
        if (x.length < b * in) x = new float[b * in];
        floats(data.pixels(), start * in, b * in, x, 0);
        LinearEval.forward(x, 0, in, b, fc1, true, h1, 0);
        rest(b);
        return z;
    }

    /** Layers 2 and 3 on h1's b rows, into z. */
    private void rest(int b) {
        LinearEval.forward(h1, 0, hidden, b, fc2, true, h2, 0);
        LinearEval.forward(h2, 0, hidden, b, fc3, false, z, 0);
    }

    private static void floats(byte[] px, int src, int n, float[] x, int dst) {
        for (int i = 0; i < n; i++) x[dst + i] = BYTE_TO_FLOAT[px[src + i] & 0xFF];
    }

    /**
     * One batch of an evaluation set as the first layer reads it, in {@link ZeroPatternOrder}: its
     * images as floats and the zero-skipping kernel's lists ({@link LinearEval#prepare}). A run
     * evaluates the same val and test batches six times, and every run of a JVM shares the test
     * images' array, so each batch is prepared once and kept while its dataset's pixel array lives
     * (by identity: arrays do not override equals). ~4 MB per 1,000 MNIST images (the test set ~40
     * MB for the JVM, a run's val ~12 MB for the run).
     */
    private record Batch(int[] order, LinearEval.Prepared inputs) {
        private static final Map<byte[], Map<Long, Batch>> CACHE =
                Collections.synchronizedMap(new WeakHashMap<>());

        static Batch of(Dataset data, int start, int b, int in) {
            byte[] px = data.pixels();
            return CACHE.computeIfAbsent(px, k -> new ConcurrentHashMap<>())
                    .computeIfAbsent(
                            ((long) start << 32) | b,
                            k -> prepare(px, data.labels(), start, b, in));
        }

        private static Batch prepare(byte[] px, int[] labels, int start, int b, int in) {
            int[] order = ZeroPatternOrder.of(px, labels, in, start, b);
            float[] x = new float[b * in];
            for (int p = 0; p < b; p++) floats(px, (start + order[p]) * in, in, x, p * in);
            return new Batch(order, LinearEval.prepare(x, b, in));
        }
    }
}

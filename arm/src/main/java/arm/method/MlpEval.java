package arm.method;

import arm.data.Dataset;
import arm.kernels.cpu.LinearEval;
import arm.metrics.Evaluator;
import arm.nn.Linear;
import arm.nn.Mlp;
import arm.tensor.Tensor;

/**
 * The MLP's evaluation forward on the CPU without autograd, tensors or pools: per batch the
 * dataset's bytes become floats in a reused array, then three fused layers ({@link LinearEval}:
 * x·Wᵀ + b and ReLU in one pass, W packed once per evaluation) write the logits into another.
 *
 * <p>Same logits, bit for bit, as {@code Mlp.forward} in eval mode: each layer's outputs are the
 * in-order FMA chains that the SIMD GEMM's panel path computes, plus the bias, then ReLU. A batch
 * that the GEMM would take through its dot path instead (fewer rows than {@link
 * LinearEval#sameBitsAsGemm}, e.g. val's last 3 images) goes through {@code fallback}, the module's
 * own forward. The first layer's chains skip the images' zero pixels (~81% of MNIST's; {@link
 * LinearEval#forward}), which leaves every bit as it is.
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
        if (x.length < b * in) {
            x = new float[b * in];
            h1 = new float[b * hidden];
            h2 = new float[b * hidden];
            z = new float[b * classes];
        }
        byte[] px = data.pixels();
        int src = start * in, n = b * in;
        for (int i = 0; i < n; i++) x[i] = BYTE_TO_FLOAT[px[src + i] & 0xFF];
        LinearEval.forward(x, 0, in, b, fc1, true, h1, 0);
        LinearEval.forward(h1, 0, hidden, b, fc2, true, h2, 0);
        LinearEval.forward(h2, 0, hidden, b, fc3, false, z, 0);
        return z;
    }
}

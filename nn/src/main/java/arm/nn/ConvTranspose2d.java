package arm.nn;

import arm.autograd.F;
import arm.autograd.Var;
import java.util.SplittableRandom;

/**
 * PyTorch's nn.ConvTranspose2d with bias: x [N, in, H, W] → [N, out, Ho, Wo], Ho = (H − 1)·stride −
 * 2·pad + k + outputPad; weight [in, out, k, k] (PyTorch's layout), bias [out]. Weight then bias,
 * each U(−1/√fan_in, 1/√fan_in) with PyTorch's fan_in of that layout, weight.size(1)·k² = out·k².
 */
public final class ConvTranspose2d extends Module {
    public final int in, out, kernel, stride, pad, outputPad;
    public final Parameter weight, bias;

    public ConvTranspose2d(
            int in, int out, int kernel, int stride, int pad, int outputPad, SplittableRandom rng) {
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.stride = stride;
        this.pad = pad;
        this.outputPad = outputPad;
        int fanIn = out * kernel * kernel;
        weight = param("weight", Init.pytorchDefault(rng, fanIn, in, out, kernel, kernel));
        bias = param("bias", Init.pytorchDefault(rng, fanIn, out));
    }

    @Override
    public Var forward(Var x) {
        return F.convTranspose2d(x, weight.var, bias.var, stride, pad, outputPad);
    }

    @Override
    protected Module blank() {
        return new ConvTranspose2d(
                in, out, kernel, stride, pad, outputPad, new SplittableRandom(0));
    }
}

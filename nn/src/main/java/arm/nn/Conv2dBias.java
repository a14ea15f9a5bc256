package arm.nn;

import arm.autograd.F;
import arm.autograd.Var;
import java.util.SplittableRandom;

/**
 * PyTorch's nn.Conv2d with its default bias: y = conv(x, w) + b, w [out, in, k, k], b [out]. Weight
 * then bias, each U(−1/√fan_in, 1/√fan_in), fan_in = in·k² (PyTorch's default init).
 */
public final class Conv2dBias extends Module {
    public final int in, out, kernel, stride, pad;
    public final Parameter weight, bias;

    public Conv2dBias(int in, int out, int kernel, int stride, int pad, SplittableRandom rng) {
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.stride = stride;
        this.pad = pad;
        int fanIn = in * kernel * kernel;
        weight = param("weight", Init.pytorchDefault(rng, fanIn, out, in, kernel, kernel));
        bias = param("bias", Init.pytorchDefault(rng, fanIn, out));
    }

    @Override
    public Var forward(Var x) {
        return F.conv2d(x, weight.var, bias.var, stride, pad);
    }

    @Override
    protected Module blank() {
        return new Conv2dBias(in, out, kernel, stride, pad, new SplittableRandom(0));
    }
}

package arm.nn;

import arm.autograd.F;
import arm.autograd.Var;
import java.util.SplittableRandom;

/**
 * 2-D convolution without bias (every convolution of ARM's ResNet18): x [N, Ci, H, W] → y [N, Co,
 * Ho, Wo], weight [Co, Ci, k, k]. PyTorch's default init U(−1/√fan_in, 1/√fan_in), fan_in = Ci·k·k
 * (ALGORITHM.md §5.3).
 */
public final class Conv2d extends Module {
    public final int in, out, kernel, stride, pad;
    public final Parameter weight;

    public Conv2d(int in, int out, int kernel, int stride, int pad, SplittableRandom rng) {
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.stride = stride;
        this.pad = pad;
        this.weight =
                param(
                        "weight",
                        Init.pytorchDefault(rng, in * kernel * kernel, out, in, kernel, kernel));
    }

    @Override
    public Var forward(Var x) {
        return F.conv2d(x, weight.var, stride, pad);
    }

    @Override
    protected Module blank() {
        return new Conv2d(in, out, kernel, stride, pad, new SplittableRandom(0));
    }
}

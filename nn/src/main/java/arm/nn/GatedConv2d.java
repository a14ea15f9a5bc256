package arm.nn;

import arm.autograd.F;
import arm.autograd.Var;
import java.util.SplittableRandom;

/**
 * The MIR code's GatedConv2d without activation: y = h(x) ⊙ σ(g(x)), h and g two convolutions with
 * bias of the same shape ({@link Conv2dBias}), h first; 2·(in·k² + 1)·out parameters.
 */
public final class GatedConv2d extends Module {
    public final Conv2dBias h, g;

    public GatedConv2d(int in, int out, int kernel, int stride, int pad, SplittableRandom rng) {
        h = child("h", new Conv2dBias(in, out, kernel, stride, pad, rng));
        g = child("g", new Conv2dBias(in, out, kernel, stride, pad, rng));
    }

    @Override
    public Var forward(Var x) {
        return F.mul(h.forward(x), F.sigmoid(g.forward(x)));
    }

    @Override
    protected Module blank() {
        return new GatedConv2d(h.in, h.out, h.kernel, h.stride, h.pad, new SplittableRandom(0));
    }
}

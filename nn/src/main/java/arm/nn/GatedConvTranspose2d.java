package arm.nn;

import arm.autograd.F;
import arm.autograd.Var;
import java.util.SplittableRandom;

/**
 * The MIR code's GatedConvTranspose2d without activation: y = h(x) ⊙ σ(g(x)), h and g two
 * transposed convolutions with bias of the same shape ({@link ConvTranspose2d}), h first; 2·(in·k²
 * + 1)·out parameters.
 */
public final class GatedConvTranspose2d extends Module {
    public final ConvTranspose2d h, g;

    public GatedConvTranspose2d(
            int in, int out, int kernel, int stride, int pad, int outputPad, SplittableRandom rng) {
        h = child("h", new ConvTranspose2d(in, out, kernel, stride, pad, outputPad, rng));
        g = child("g", new ConvTranspose2d(in, out, kernel, stride, pad, outputPad, rng));
    }

    @Override
    public Var forward(Var x) {
        return F.mul(h.forward(x), F.sigmoid(g.forward(x)));
    }

    @Override
    protected Module blank() {
        return new GatedConvTranspose2d(
                h.in, h.out, h.kernel, h.stride, h.pad, h.outputPad, new SplittableRandom(0));
    }
}

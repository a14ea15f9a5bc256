package arm.nn;

import arm.autograd.F;
import arm.autograd.Var;
import java.util.SplittableRandom;

/**
 * A gated dense layer (the MIR code's GatedDense): y = a(x·Whᵀ + bh) ⊙ σ(x·Wgᵀ + bg), with a = ReLU
 * or the identity. Two Linear layers, h then g, each initialised as PyTorch's nn.Linear; 2·(in + 1)
 * ·out parameters.
 */
public final class GatedDense extends Module {
    public final int in, out;
    public final boolean relu;
    public final Linear h, g;

    public GatedDense(int in, int out, boolean relu, SplittableRandom rng) {
        this.in = in;
        this.out = out;
        this.relu = relu;
        h = child("h", new Linear(in, out, rng));
        g = child("g", new Linear(in, out, rng));
    }

    @Override
    public Var forward(Var x) {
        Var a = h.forward(x);
        if (relu) a = F.relu(a);
        return F.mul(a, F.sigmoid(g.forward(x)));
    }

    @Override
    protected Module blank() {
        return new GatedDense(in, out, relu, new SplittableRandom(0));
    }
}

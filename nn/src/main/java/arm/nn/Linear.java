package arm.nn;

import arm.autograd.F;
import arm.autograd.Var;
import arm.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * y = x·Wᵀ + b, PyTorch layout: x [N, in], W [out, in], b [out], y [N, out]. Initialised with
 * PyTorch's default U(−1/√in, 1/√in) for both W and b ({@link Init#pytorchDefault}), W first.
 */
public final class Linear extends Module {
    public final int in, out;
    public final Parameter weight, bias;

    public Linear(int in, int out, SplittableRandom rng) {
        this.in = in;
        this.out = out;
        this.weight = param("weight", Init.pytorchDefault(rng, in, out, in));
        this.bias = param("bias", Init.pytorchDefault(rng, in, out));
    }

    /** Initialised from PyTorch's generator exactly as nn.Linear is ({@link Init#torchLinear}). */
    public Linear(int in, int out, TorchRandom g) {
        this.in = in;
        this.out = out;
        Tensor[] wb = Init.torchLinear(g, in, out);
        this.weight = param("weight", wb[0]);
        this.bias = param("bias", wb[1]);
    }

    @Override
    public Var forward(Var x) {
        return F.linear(x, weight.var, bias.var);
    }

    @Override
    protected Module blank() {
        return new Linear(in, out, new SplittableRandom(0));
    }
}

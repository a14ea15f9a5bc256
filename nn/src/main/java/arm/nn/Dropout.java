package arm.nn;

import arm.autograd.F;
import arm.autograd.Var;
import arm.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * torch.nn.Dropout: in training mode each value is kept with probability 1 − p and scaled by 1/(1 −
 * p), otherwise zeroed; in eval mode, and with p = 0, the identity. The mask is a constant, so the
 * gradient is dy times the same mask.
 *
 * <p>The mask's draws come from a generator the owner hands in before each use ({@link
 * #useGenerator}), so that every draw of a run comes from that run's per-iteration streams and a
 * resumed run draws the same masks.
 */
public final class Dropout extends Module {
    public final float p;
    private SplittableRandom rng;

    public Dropout(float p) {
        if (!(p >= 0 && p < 1))
            throw new IllegalArgumentException("dropout probability must lie in [0, 1), got " + p);
        this.p = p;
    }

    @Override
    public Var forward(Var x) {
        if (!isTraining() || p == 0) return x;
        if (rng == null)
            throw new IllegalStateException("dropout in training mode needs a generator first");
        float keep = 1 / (1 - p);
        float[] mask = new float[x.value.numel()];
        for (int i = 0; i < mask.length; i++) mask[i] = rng.nextDouble() < p ? 0f : keep;
        return F.mul(x, Var.constant(Tensor.of(mask, x.shape())));
    }

    /** Every Dropout in {@code m}'s tree draws its masks from {@code rng} from now on. */
    public static void useGenerator(Module m, SplittableRandom rng) {
        if (m instanceof Dropout d) d.rng = rng;
        for (Module c : m.children().values()) useGenerator(c, rng);
    }

    @Override
    protected Module blank() {
        return new Dropout(p);
    }
}

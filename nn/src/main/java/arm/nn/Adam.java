package arm.nn;

import arm.autograd.Var;
import arm.tensor.Device;
import arm.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam as torch.optim.Adam computes it (no weight decay, no AMSGrad), on host tensors. For each
 * parameter p with gradient g, at its step s = 1, 2, …:
 *
 * <pre>
 * m ← β1·m + (1 − β1)·g            v ← β2·v + (1 − β2)·g²
 * p ← p − (η / (1 − β1^s)) · m / (√v / √(1 − β2^s) + ε)
 * </pre>
 *
 * A parameter without a gradient is skipped and its step count does not move, as in PyTorch.
 * Gradients accumulate in {@code Var.grad} until {@link #zeroGrad}. The moments and step counts are
 * the optimiser's whole state ({@link #state}, {@link #steps}): a checkpoint saves them.
 */
public final class Adam {
    private final List<Var> params;
    private final float lr, beta1, beta2, eps;
    private final Tensor[] m, v;
    private final long[] step;

    /** PyTorch's defaults: β1 = 0.9, β2 = 0.999, ε = 1e−8. */
    public Adam(List<Var> params, float lr) {
        this(params, lr, 0.9f, 0.999f, 1e-8f);
    }

    public Adam(List<Var> params, float lr, float beta1, float beta2, float eps) {
        if (!(lr >= 0)) throw new IllegalArgumentException("learning rate must be >= 0, got " + lr);
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1))
            throw new IllegalArgumentException("Adam betas must lie in [0, 1)");
        this.params = List.copyOf(params);
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        m = new Tensor[this.params.size()];
        v = new Tensor[this.params.size()];
        step = new long[this.params.size()];
        for (int i = 0; i < m.length; i++) {
            Tensor p = this.params.get(i).value;
            if (p.device() != Device.CPU)
                throw new IllegalArgumentException("Adam runs on host parameters, not " + p);
            m[i] = Tensor.zeros(p.shape);
            v[i] = Tensor.zeros(p.shape);
        }
    }

    public float lr() {
        return lr;
    }

    public void step() {
        for (int i = 0; i < step.length; i++) {
            Var p = params.get(i);
            if (p.grad == null) continue;
            long s = ++step[i];
            double bc1 = 1 - Math.pow(beta1, s), bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, s));
            float stepSize = (float) (lr / bc1), bc2 = (float) bc2Sqrt;
            float[] w = p.value.data(), g = p.grad.toArray(), mi = m[i].data(), vi = v[i].data();
            for (int j = 0; j < w.length; j++) {
                mi[j] = beta1 * mi[j] + (1 - beta1) * g[j];
                vi[j] = beta2 * vi[j] + (1 - beta2) * g[j] * g[j];
                float denom = (float) Math.sqrt(vi[j]) / bc2 + eps;
                w[j] -= stepSize * (mi[j] / denom);
            }
        }
    }

    public void zeroGrad() {
        for (Var p : params) p.zeroGrad();
    }

    /** The moments, live, named "m.i" and "v.i" for parameter i: a resume overwrites them. */
    public Map<String, Tensor> state() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < m.length; i++) {
            out.put("m." + i, m[i]);
            out.put("v." + i, v[i]);
        }
        return out;
    }

    /** The step count of every parameter (a copy). */
    public long[] steps() {
        return step.clone();
    }

    /** Puts back step counts saved with {@link #steps}. */
    public void restoreSteps(long[] saved) {
        if (saved.length != step.length)
            throw new IllegalArgumentException(
                    "Adam state has " + saved.length + " step counts, expected " + step.length);
        System.arraycopy(saved, 0, step, 0, step.length);
    }
}

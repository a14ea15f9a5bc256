package arm.nn;

import arm.autograd.Var;
import arm.tensor.Backends;
import arm.tensor.Scope;
import java.util.List;

/**
 * Plain SGD as ARM uses it (ALGORITHM.md §1.1, §5.3): p ← p − η·grad, no momentum, dampening,
 * weight decay or Nesterov. Gradients accumulate in {@code Var.grad} until {@link #zeroGrad}, as in
 * PyTorch; a parameter without a gradient is left alone.
 */
public final class Sgd {
    private final List<Var> params;
    private float lr;

    public Sgd(List<Var> params, float lr) {
        if (!(lr >= 0)) throw new IllegalArgumentException("learning rate must be >= 0, got " + lr);
        this.params = List.copyOf(params);
        this.lr = lr;
    }

    public float lr() {
        return lr;
    }

    public void step() {
        for (Var p : params) if (p.grad != null) Backends.of(p.value).axpy(-lr, p.grad, p.value);
    }

    /**
     * Drops the gradients. Inside a recycling scope (a training step's) their arrays go back to the
     * thread's pool when the scope closes ({@link Scope#release}), so that the step's new gradients
     * reuse the last step's instead of 1.9 MB (the MNIST MLP) of fresh arrays per step: nothing may
     * read a dropped gradient after that.
     */
    public void zeroGrad() {
        for (Var p : params) {
            if (p.grad != null) Scope.release(p.grad);
            p.zeroGrad();
        }
    }
}

package arm.method;

import arm.autograd.Autograd;
import arm.autograd.F;
import arm.autograd.Var;
import arm.data.ContinualData;
import arm.nn.Module;
import arm.nn.Sgd;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Distill, the LwF-style baseline (ARM-SPEC §3.2): step A, then, from recall_from_t on, a second
 * SGD step on λ0_real · KL(softmax(f_old(X)) ‖ softmax(f_cur(X))) (batch mean, temperature 1,
 * single head). KL and soft cross-entropy differ by the targets' entropy, a constant, so the step
 * uses soft CE: same gradient.
 */
final class Distill extends ContinualMethod {
  private final float weight;

  Distill(Map<String, String> defaults, Map<String, String> overrides) {
    super("Distill", defaults, overrides);
    this.weight = opts.nonNegative("lambda0_real");
    opts.positiveOrTask("T");
    opts.nonNegativeOrTask("recall_from_t");
  }

  @Override
  Learner learner(Module fCur, Sgd opt, ContinualData data, SplittableRandom rng) {
    Lag lag = lag(data, rng);
    int recallFromT = recallFromT(data);
    Module fOld = fCur.copy();
    return b -> {
      if (lag.refreshAt(b.t())) fOld.copyFrom(fCur);
      realStep(fCur, opt, b);
      if (b.t() < recallFromT) return;
      opt.zeroGrad();
      Var x = Var.constant(b.x()), target;
      try (var ng = Autograd.noGrad()) {
        target = F.softmax(fOld.forward(x));
      }
      Autograd.backward(F.scale(F.softCrossEntropy(fCur.forward(x), target), weight));
      opt.step();
    };
  }
}

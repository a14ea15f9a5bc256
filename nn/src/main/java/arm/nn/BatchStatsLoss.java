package arm.nn;

import arm.autograd.Var;

/**
 * A model whose forward pass can report ADI's batch-statistics loss R_bs (ARM-SPEC §3.3): for each
 * BatchNorm layer, ‖μ_batch − running_mean‖₂ + ‖v_batch − running_var‖₂ of the layer's input
 * (unsquared norms, unbiased batch variance, running values read before the pass updated them),
 * averaged over the layers. Implemented by the BatchNorm networks; the MLP has none.
 */
public interface BatchStatsLoss {

  /** R_bs of the most recent training-mode {@link Module#forward}, in that pass's graph. */
  Var batchStatsLoss();
}

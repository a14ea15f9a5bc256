package arm.nn;

import arm.autograd.Var;

/**
 * A model whose forward pass can also report ADI's batch-statistics loss R_bs (ALGORITHM.md §3.3):
 * for each BatchNorm layer, ‖μ_batch − running_mean‖₂ + ‖v_batch − running_var‖₂ of the layer's
 * input (unsquared norms, unbiased batch variance, running values read before this pass updates
 * them), averaged over the layers. The BatchNorm networks implement it; the MLP has no BN.
 *
 * <p>ADI's (and ARM's optional) refinement calls this on f_old instead of {@link Module#forward}
 * when w_bs ≠ 0, and adds w_bs·R_bs to the loss it differentiates w.r.t. X̂.
 */
public interface BatchStatsLoss {

    /** Logits and R_bs of one training-mode pass, both in the pass's graph. */
    record Forward(Var logits, Var batchStats) {}

    Forward forwardWithBatchStats(Var x);
}

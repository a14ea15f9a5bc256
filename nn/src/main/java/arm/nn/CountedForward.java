package arm.nn;

import arm.autograd.Var;

/**
 * A model whose forward can take a batch stored as its distinct samples: row u of x stands for
 * counts[u] identical samples (ARM's recalled batch, M images drawn with replacement from N real
 * ones; ALGORITHM.md §2.1). The logits of row u equal those every copy gets in the replicated
 * batch, and any batch coupling (train-mode BatchNorm: statistics, gradients, running buffers) is
 * counted so that it equals the replicated batch's. A loss on the result must count row u counts[u]
 * times too.
 */
public interface CountedForward {

    /** Logits [U, classes] of x [U, …]; counts [U], each ≥ 1. */
    Var forward(Var x, int[] counts);
}

package arm.tensor;

/**
 * The weights of ARM's logit terms ({@link Backend#logitTerms}): the divergence's form and weight
 * wD, λ1 (R_NL on a), λ2 (R_NL on b), λ3 (R_div), λ4 (R_sharp). A weight of 0 drops its term.
 *
 * @param divergence {@link #REVERSED_KL}, {@link #JENSEN_SHANNON} or {@link #CROSS_ENTROPY}
 */
public record LogitWeights(int divergence, float wD, float l1, float l2, float l3, float l4) {
    /** ½[KL(m‖p) + KL(m‖q)], m = ½(p+q): the authors' code. */
    public static final int REVERSED_KL = 0;

    /** ½[KL(p‖m) + KL(q‖m)]: the paper's wording. */
    public static final int JENSEN_SHANNON = 1;

    /** −softCE(b, softmax(a)), p not detached: the ablation {@code --use_crossent_as_D}. */
    public static final int CROSS_ENTROPY = 2;

    public LogitWeights {
        if (divergence < REVERSED_KL || divergence > CROSS_ENTROPY)
            throw new IllegalArgumentException("logit terms: divergence form " + divergence);
    }

    /** The weights in the order of the terms: {wD, λ1, λ2, λ3, λ4}. */
    public float[] asArray() {
        return new float[] {wD, l1, l2, l3, l4};
    }

    /** Whether q = softmax(b) enters (R_D or λ2). */
    public boolean needsB() {
        return wD != 0 || l2 != 0;
    }
}

package arm.run;

/**
 * What a run records beside its evaluations, for the paper's figures and analyses (ALGORITHM.md
 * §8). Recording never changes training: it reads values the loop computes anyway (f_old's logits
 * on the final recalled batch) and copies a few recalled images.
 *
 * @param recall recall methods (ARM, ADI) keep the history of recalled classes (Fig. 3) and, at the
 *     last recall iteration of every task, up to {@link RecallRecorder#MAX_PAIRS} recalled images
 *     with the real images they started from (Fig. 2); GEN and GEN-MIR keep their VAE's samples at
 *     every task end ({@link GeneratedSamples})
 * @param gradientSamples recall methods run the gradient study (Fig. 7, Tables 9–10) on the final
 *     model with this many recalled samples; 0 = off
 */
public record Recording(boolean recall, int gradientSamples) {

    /** Nothing beyond the evaluations. */
    public static final Recording NONE = new Recording(false, 0);

    /** The paper's study size: 1,000 recalled samples. */
    public static final int PAPER_GRADIENT_SAMPLES = 1000;

    public Recording {
        if (gradientSamples < 0)
            throw new IllegalArgumentException("gradient samples " + gradientSamples + " < 0");
    }
}

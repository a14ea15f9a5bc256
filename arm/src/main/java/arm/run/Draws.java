package arm.run;

import java.util.SplittableRandom;

/**
 * The random streams of a run's iterations. Instead of one generator whose state moves on with
 * every draw (and would have to be saved for an exact resume), every draw site of every iteration
 * gets its own generator, seeded from (base, t, purpose) by two rounds of SplitMix64's finaliser:
 * resuming at t needs no generator state at all, and draws at one site cannot shift those at
 * another. {@code base} is one long drawn from the run's seed when the learner is built.
 *
 * <p>The draws themselves are unchanged: uniform integers and doubles from {@link
 * SplittableRandom}, with the with/without-replacement rules of {@link
 * arm.method.RecallMethod#draw}.
 */
public final class Draws {
    private Draws() {}

    /** Purposes: what a stream is for, so that two sites of one iteration never share one. */
    public static final int LAG = 1,
            CLASSES = 2,
            RESERVOIR = 3,
            GEN = 4, // every draw of a GEN / GEN-MIR iteration
            RECALL_INIT = 16; // RECALL_INIT + r for round r

    /** ER's replay choice of update i at t: REPLAY + i. */
    public static final int REPLAY = 1024;

    private static final long GOLDEN = 0x9e3779b97f4a7c15L;

    /** The generator of draw site {@code purpose} at iteration t. */
    public static SplittableRandom at(long base, long t, int purpose) {
        long s = mix64(mix64(base + GOLDEN * (t + 1)) + GOLDEN * (purpose + 1L));
        return new SplittableRandom(s);
    }

    /** SplitMix64's output function (Stafford's variant 13). */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}

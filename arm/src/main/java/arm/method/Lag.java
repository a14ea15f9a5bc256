package arm.method;

import arm.run.Draws;
import java.util.SplittableRandom;

/**
 * When f_old ← copy(f_cur) happens (ALGORITHM.md §1.2). Asked once per iteration, before step A.
 *
 * <ul>
 *   <li>fixed: at t = 0, T, 2T, … (the published long lag, T = batches per task);
 *   <li>unit: every iteration (no {@code --long_window}), so f_old is θ before this step A;
 *   <li>random: at t = 0 and then after gaps drawn uniformly from [min, max], both ends included.
 * </ul>
 *
 * <p>The gap drawn at refresh t comes from its own stream {@link Draws#at}(base, t), so the whole
 * schedule is fixed by {@code base} and the only state is the next refresh time, which a checkpoint
 * saves ({@link #next()}, {@link #resumeAt}).
 */
final class Lag {
    enum Kind {
        FIXED,
        UNIT,
        RANDOM
    }

    private final Kind kind;
    private final int fixed, min, max;
    private final long base;
    private int next = 0;

    /**
     * @param rng gives the schedule's base seed (one draw); may be null for fixed and unit lags
     */
    Lag(Kind kind, int fixed, int min, int max, SplittableRandom rng) {
        this.kind = kind;
        this.fixed = fixed;
        this.min = min;
        this.max = max;
        this.base = rng == null ? 0 : rng.nextLong();
    }

    /**
     * True if f_old is refreshed at iteration t; advances the schedule. Call with t = 0, 1, 2, …
     */
    boolean refreshAt(int t) {
        if (kind == Kind.UNIT) return true;
        if (t != next) return false;
        next =
                t
                        + (kind == Kind.FIXED
                                ? fixed
                                : min + Draws.at(base, t, Draws.LAG).nextInt(max - min + 1));
        return true;
    }

    /** The next refresh time (what a checkpoint saves). */
    int next() {
        return next;
    }

    /** Continues a saved schedule. */
    void resumeAt(int next) {
        if (next < 0)
            throw new IllegalArgumentException("lag: next refresh time " + next + " is negative");
        this.next = next;
    }
}

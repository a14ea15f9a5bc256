package arm.method;

import java.util.SplittableRandom;

/**
 * When f_old ← copy(f_cur) happens (ARM-SPEC §1.2). Asked once per iteration, before step A.
 *
 * <ul>
 *   <li>fixed: at t = 0, T, 2T, … (the published long lag, T = batches per task);
 *   <li>unit: every iteration (no {@code --long_window}), so f_old is θ before this step A;
 *   <li>random: at t = 0 and then after gaps drawn uniformly from [min, max], both ends included.
 * </ul>
 */
final class Lag {
  enum Kind { FIXED, UNIT, RANDOM }

  private final Kind kind;
  private final int fixed, min, max;
  private final SplittableRandom rng;
  private int next = 0;

  Lag(Kind kind, int fixed, int min, int max, SplittableRandom rng) {
    this.kind = kind;
    this.fixed = fixed;
    this.min = min;
    this.max = max;
    this.rng = rng;
  }

  /** True if f_old is refreshed at iteration t; advances the schedule. Call with t = 0, 1, 2, … */
  boolean refreshAt(int t) {
    if (kind == Kind.UNIT) return true;
    if (t != next) return false;
    next = t + (kind == Kind.FIXED ? fixed : min + rng.nextInt(max - min + 1));
    return true;
  }
}

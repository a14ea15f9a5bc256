package arm.method;

import arm.data.ContinualData;
import arm.nn.Module;
import arm.nn.Sgd;
import arm.tensor.Device;
import arm.tensor.Scope;
import java.util.SplittableRandom;

/**
 * Drives a method's training one iteration at a time, without evaluation: for benchmarks,
 * profiling and experiments. Built exactly as {@link Method#run} builds a run (same seeding), so
 * stepping t = 0 … max_t−1 trains the same model.
 */
public final class Stepper {
  private final ContinualData data;
  private final Module fCur;
  private final ContinualMethod.Learner learner;
  private final Sgd opt;
  private final Device device;
  private final boolean[] seen;
  private int lastTask = -1;

  Stepper(ContinualData data, Module fCur, Sgd opt, Device device, ContinualMethod.Learner learner) {
    this.data = data;
    this.fCur = fCur;
    this.learner = learner;
    this.opt = opt;
    this.device = device;
    this.seen = new boolean[data.numClasses()];
  }

  /** A fresh run of {@code method} (from {@link Methods#create}) on {@code data}. */
  public static Stepper create(Method method, ContinualData data, long seed) {
    if (!(method instanceof ContinualMethod m))
      throw new IllegalArgumentException(method.name() + " was not made by Methods.create");
    return m.start(data, new SplittableRandom(seed));
  }

  /**
   * Trains iteration t on stream batch {@code t mod max_t}. Call with t = 0, 1, 2, …: the lag and
   * recall_from_t rules read t.
   */
  public void train(int t) {
    ContinualMethod.Batch b;
    try (Scope s = Scope.open()) { // frees the iteration's device tensors (nothing on the CPU)
      b = ContinualMethod.batch(data, t % data.numBatches(), t, seen, device);
      fCur.train();
      learner.train(b);
      if (device != Device.CPU) opt.zeroGrad(); // the gradients' storage dies with the scope
    }
    for (int c : b.y()) seen[c] = true;
    lastTask = data.taskOf(b.y()[0]);
  }

  /** Labels of the batches trained so far, ascending. */
  public int[] seenClasses() {
    return ContinualMethod.indices(seen);
  }

  /** Task of the last batch trained, −1 before the first. */
  public int lastTask() {
    return lastTask;
  }

  /** The method's per-run state (for recorders and analyses). */
  ContinualMethod.Learner learner() {
    return learner;
  }

  /** Which classes the batches trained so far held, by label (a copy). */
  boolean[] seen() {
    return seen.clone();
  }

  /** Where the run's tensors live (the method's device option). */
  public Device device() {
    return device;
  }

  /** f_cur. */
  public Module model() {
    return fCur;
  }
}

package arm.method;

import arm.data.ContinualData;
import arm.metrics.EvalPoint;
import arm.nn.Module;
import arm.tensor.Device;
import java.util.ArrayList;
import java.util.List;

/**
 * The evaluations of one run, in the order they were asked for: at once, or deferred.
 *
 * <p>Deferred (CPU runs): f_cur is deep-copied at iteration t (~2 MB for the MLP) and the copy is
 * evaluated later, when the run next needs its points (a checkpoint, the end). The points are
 * exactly those of an immediate evaluation (same weights, same batches); what changes is when the
 * work runs. The first evaluations of a fresh JVM run before the JIT has compiled the kernels:
 * MNIST's evaluation at t = 0 took ~0.8 s against ~0.23 s once compiled, so deferring it past the
 * first task's training saves most of that. Device runs evaluate at once (a copy would hold device
 * memory).
 */
final class EvalQueue {
  /** An evaluation asked for at iteration t, on a frozen copy of f_cur. */
  private record Pending(int t, Module frozen, int[] seen, int lastTask) {}

  private final boolean defer;
  private final List<Pending> pending = new ArrayList<>();
  private long ns;

  private EvalQueue(boolean defer) {
    this.defer = defer;
  }

  /** Deferred for a CPU model unless {@code -Darm.eval.defer=false}; at once on a device. */
  static EvalQueue forDevice(Device device) {
    return new EvalQueue(device == Device.CPU && !"false".equals(System.getProperty("arm.eval.defer")));
  }

  /** Evaluates f_cur as it is at iteration t: now (its point goes to {@code into}) or later. */
  void submit(Module fCur, ContinualData data, int t, int[] seen, int lastTask, List<EvalPoint> into) {
    if (!defer) {
      into.add(timed(fCur, data, t, seen, lastTask));
      return;
    }
    pending.add(new Pending(t, fCur.copy(), seen.clone(), lastTask));
  }

  /** Evaluates everything still pending and appends the points to {@code into}, in order. */
  void drainInto(ContinualData data, List<EvalPoint> into) {
    drainBefore(Integer.MAX_VALUE, data, into);
  }

  /**
   * Like {@link #drainInto} for the evaluations asked for before iteration t only; one asked for
   * at t stays pending. A checkpoint taken at t uses this, so that a run resumed from it asks for
   * t's evaluation again (same weights, same point).
   */
  void drainBefore(int t, ContinualData data, List<EvalPoint> into) {
    while (!pending.isEmpty() && pending.get(0).t() < t) {
      Pending p = pending.remove(0);
      into.add(timed(p.frozen(), data, p.t(), p.seen(), p.lastTask()));
    }
  }

  private EvalPoint timed(Module net, ContinualData data, int t, int[] seen, int lastTask) {
    long s0 = System.nanoTime();
    EvalPoint p = ContinualMethod.evaluate(net, data, t, seen, lastTask);
    ns += System.nanoTime() - s0;
    return p;
  }

  /** Nanoseconds spent evaluating so far. */
  long nanos() {
    return ns;
  }
}

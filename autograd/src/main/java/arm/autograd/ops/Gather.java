package arm.autograd.ops;

import arm.autograd.Gradients;
import arm.autograd.Node;
import arm.autograd.Var;
import arm.tensor.Backend;
import arm.tensor.Tensor;

/**
 * Picks one entry per row: y[r] = x[r, index[r]] for x [R, C], y [R]. Used for the label term of
 * cross-entropy. dx[r, c] = dy[r]·[c = index[r]].
 */
public final class Gather {
  private Gather() {}

  public static Var apply(Var x, int[] index) {
    Backend be = Node.backendOf(x.value);
    Tensor y = be.empty(index.length);
    be.gatherLastAxis(x.value, index, y);
    return Node.record(y, new GatherNode(x, index.clone()));
  }

  /** The same with the index in a tensor of x's device (floats holding integers), e.g. an argmax kept there. */
  public static Var apply(Var x, Tensor index) {
    Backend be = Node.backendOf(x.value);
    Tensor y = be.empty(index.numel());
    be.gatherLastAxis(x.value, index, y);
    return Node.record(y, new DeviceIndexNode(x, index));
  }

  static final class DeviceIndexNode extends Node {
    final Tensor index; // constant: never written after the forward

    DeviceIndexNode(Var x, Tensor index) {
      super(x);
      this.index = index;
    }

    @Override
    protected void backward(Tensor dy, Gradients g) {
      Var x = inputs[0];
      if (!g.needs(x)) return;
      Backend be = backendOf(dy);
      Tensor dx = be.zeros(x.shape());
      be.scatterAddLastAxis(dy, index, dx);
      g.add(x, dx);
    }
  }

  static final class GatherNode extends Node {
    final int[] index;

    GatherNode(Var x, int[] index) {
      super(x);
      this.index = index;
    }

    @Override
    protected void backward(Tensor dy, Gradients g) {
      Var x = inputs[0];
      if (!g.needs(x)) return;
      Backend be = backendOf(dy);
      Tensor dx = be.zeros(x.shape());
      be.scatterAddLastAxis(dy, index, dx);
      g.add(x, dx);
    }
  }
}

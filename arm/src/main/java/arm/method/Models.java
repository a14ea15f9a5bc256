package arm.method;

import arm.data.ContinualData;
import arm.nn.Mlp;
import arm.nn.Module;
import java.util.SplittableRandom;

/** Builds the network a run trains (ARM-SPEC §5): the MLP for flat inputs. */
final class Models {
  private Models() {}

  /** @param hidden MLP width (400 published; smaller only for fast tests) */
  static Module create(String type, int hidden, ContinualData data, SplittableRandom rng) {
    int[] item = data.train().itemShape();
    String t = type.equals("auto") ? (item.length == 1 ? "mlp" : "resnet18") : type;
    return switch (t) {
      case "mlp" -> new Mlp(data.train().itemSize(), hidden, data.numClasses(), rng);
      default -> throw new IllegalArgumentException(
          "model " + t + " is not available in this build (images " + arm.tensor.Shape.str(item) + ")");
    };
  }

  /** c, H, W of one image for the TV term: as given, or a flat square image viewed as 1×√n×√n. */
  static int[] imageShape(int[] item) {
    if (item.length == 3) return item.clone();
    int n = 1;
    for (int d : item) n *= d;
    int side = (int) Math.round(Math.sqrt(n));
    if (item.length != 1 || side * side != n)
      throw new IllegalArgumentException("cannot view images of shape " + arm.tensor.Shape.str(item) + " as c×H×W");
    return new int[] {1, side, side};
  }
}

import arm.data.*;
import arm.method.*;
import arm.report.Npy;
import java.nio.file.*;
import java.util.Map;

/** Dumps, for run seeds a[0]..a[1] into a[2]+seed, the Distill run's stream (x, y per batch) and f_cur's initial weights as .npy. */
public class Dump {
  public static void main(String[] a) throws Exception {
    for (long seed = Long.parseLong(a[0]); seed <= Long.parseLong(a[1]); seed++) one(seed, Path.of(a[2] + seed));
  }

  static void one(long seed, Path out) throws Exception {
    Files.createDirectories(out);
    ContinualData d = Mnist5k.load(Path.of(System.getenv().getOrDefault("MNIST", "data/mnist")), seed);
    int nb = d.numBatches(), bs = d.batchSize();
    float[] x = new float[nb * bs * 784];
    float[] y = new float[nb * bs];
    for (int t = 0; t < nb; t++) {
      int[] idx = d.batch(t);
      float[] xb = d.train().batch(idx).toArray();
      System.arraycopy(xb, 0, x, t * bs * 784, xb.length);
      int[] yb = d.train().labels(idx);
      for (int i = 0; i < bs; i++) y[t * bs + i] = yb[i];
    }
    Npy.write(out.resolve("x.npy"), x, nb * bs, 784);
    Npy.write(out.resolve("y.npy"), y, nb * bs);
    Method m = Methods.create("Distill", "mnist", Map.of());
    Stepper st = Stepper.create(m, d, seed);
    for (var e : st.model().namedParameters().entrySet()) {
      var v = e.getValue().value();
      Npy.write(out.resolve("w_" + e.getKey() + ".npy"), v.toArray(), v.shape);
    }
  }
}

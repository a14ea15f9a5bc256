package arm.cli;

import arm.data.Cifar10;
import arm.data.ContinualData;
import arm.data.MiniImageNet;
import arm.data.Mnist;
import arm.data.Mnist5k;
import arm.method.Defaults;
import arm.nn.Mlp;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The three continual benchmarks the CLI reproduces: where their files live by default, how a
 * run's split is built, which published defaults the methods take, and the paper's numbers.
 */
enum Benchmark {
  mnist("MNIST-5k-5", Defaults.MNIST, Paper.MNIST),
  cifar10("CIFAR10-5", Defaults.CIFAR10, Paper.CIFAR10),
  miniimagenet("MiniImageNet-20", Defaults.MINIIMAGENET, Paper.MINIIMAGENET);

  final String title, dataset;
  final Map<String, Paper.Row> paper;

  Benchmark(String title, String dataset, Map<String, Paper.Row> paper) {
    this.title = title;
    this.dataset = dataset;
    this.paper = paper;
  }

  /** Builds one run's data from the files read once. */
  interface Source {
    ContinualData data(long seed, boolean stationary);

    /**
     * The split the authors' code draws for run id {@code runId} after initialising an MLP of
     * width {@code mlpHidden} (theirs: 400) (rng = authors; MNIST only).
     */
    default ContinualData authors(long runId, boolean stationary, int mlpHidden) {
      throw new IllegalArgumentException("rng=authors replays the authors' MNIST streams only");
    }
  }

  /** The default data folder: data/&lt;name&gt; in the repository. */
  Path defaultDir() {
    return RunOptions.home().resolve("data").resolve(name());
  }

  /** True when the val split depends on --val-split (CIFAR's is deterministic and disjoint). */
  boolean hasValSplitChoice() {
    return this != cifar10;
  }

  /** The benchmark a results.json names (config.benchmark, or its title in config.dataset), or null. */
  static Benchmark of(Object name, Object title) {
    for (Benchmark b : values()) if (b.name().equals(name) || b.title.equals(title)) return b;
    return null;
  }

  /** Reads the dataset from {@code dir}; a missing or damaged file is an IOException naming it. */
  Source open(Path dir, boolean sharedValSplit) throws IOException {
    return open(dir, sharedValSplit, null, RunOptions.Stream.arm);
  }

  /**
   * The same with MNIST-5k's samples per class changed ({@code --samples-per-class}, for quick
   * runs and tests; null = the paper's 500) and its training stream ({@code --stream}).
   */
  Source open(Path dir, boolean sharedValSplit, Integer samplesPerClass, RunOptions.Stream stream)
      throws IOException {
    if (samplesPerClass != null && this != mnist)
      throw new UsageError("--samples-per-class is for mnist only");
    if (stream != RunOptions.Stream.arm && this != mnist)
      throw new UsageError("--stream is for mnist only");
    switch (this) {
      case mnist -> {
        Mnist.Raw raw = Mnist.load(dir);
        Mnist5k.Config m = Mnist5k.MNIST5K.withSharedValSplit(sharedValSplit)
            .withStream(Mnist5k.Stream.valueOf(stream.name().toUpperCase()));
        Mnist5k.Config p = samplesPerClass == null ? m : new Mnist5k.Config(m.classesPerTask(), m.trainFraction(),
            samplesPerClass, m.batchSize(), m.taskRepeats(), m.sharedValSplit(), m.stationary(), m.stream());
        return new Source() {
          @Override
          public ContinualData data(long seed, boolean stationary) {
            return Mnist5k.build(raw.train(), raw.test(), Mnist.NUM_CLASSES, seed, p.withStationary(stationary));
          }

          @Override // the MLP draws its weights first
          public ContinualData authors(long runId, boolean stationary, int mlpHidden) {
            return Mnist5k.buildAuthors(raw.train(), raw.test(), Mnist.NUM_CLASSES, runId,
                Mlp.torchInitDraws(Mnist.ROWS * Mnist.COLS, mlpHidden, Mnist.NUM_CLASSES), p.withStationary(stationary));
          }
        };
      }
      case cifar10 -> {
        Cifar10.Raw raw = Cifar10.read(dir);
        return (seed, stationary) -> Cifar10.build(raw, seed, Cifar10.CIFAR10_5.withStationary(stationary));
      }
      default -> {
        MiniImageNet.Raw raw = MiniImageNet.read(dir, dir.resolve(MiniImageNet.CACHE_NAME));
        MiniImageNet.Config p = MiniImageNet.MINIIMAGENET_20.withSharedValSplit(sharedValSplit);
        return (seed, stationary) -> MiniImageNet.build(raw, seed, p.withStationary(stationary));
      }
    }
  }
}

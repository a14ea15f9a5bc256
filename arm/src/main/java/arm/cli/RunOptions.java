package arm.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options shared by {@code reproduce} and {@code train}. */
final class RunOptions {

  enum ValSplit { advanced, shared }

  @Option(names = "--data", paramLabel = "DIR",
      description = "dataset folder (default: data/<benchmark> in the repository). MNIST: the four IDX"
          + " files, plain or .gz, or torchvision's download root (scripts/fetch-mnist.sh). CIFAR10:"
          + " cifar-10-batches-py/ or cifar-10-batches-bin/. MiniImageNet: train.csv, val.csv, test.csv"
          + " and images/ (a decoded cache is written beside them)")
  Path data;

  @Option(names = "--out", paramLabel = "DIR",
      description = "output folder for results.json, runs.csv, summary.csv"
          + " (default: results/<command>-<time> in the repository)")
  Path out;

  @Option(names = "--threads", paramLabel = "N",
      description = "runs executed in parallel, each single-threaded (default: number of cores)")
  Integer threads;

  @Option(names = "--seed0", paramLabel = "S", defaultValue = "0",
      description = "run r uses seed S + r for its data split, weights and recall (default: ${DEFAULT-VALUE})")
  long seed0;

  @Option(names = "--val-split", paramLabel = "MODE", defaultValue = "advanced",
      description = "advanced: val from a second permutation, as the authors' code (ARM-SPEC D11);"
          + " shared: one permutation, disjoint train/val (default: ${DEFAULT-VALUE})")
  ValSplit valSplit;

  @Option(names = "--gradient-samples", paramLabel = "N", defaultValue = "1000",
      description = "recalled samples for the gradient study (paper Fig. 7, Tables 9-10) on the final"
          + " model of run 0 of ARM and ADI; 0 = off (default: ${DEFAULT-VALUE})")
  int gradientSamples;

  @Option(names = "--no-figures", negatable = false,
      description = "record no recall data and write no figures or report.md")
  boolean noFigures;
  @Option(names = "--device", paramLabel = "DEV",
      description = "cpu or cuda: where every method trains (the method option device; default: cpu)")
  String device;

  @Option(names = {"-o", "--option"}, paramLabel = "[METHOD:]KEY=VALUE",
      description = "method hyperparameter override, for every selected method or only METHOD's;"
          + " repeatable, e.g. -o ARM:M=20")
  List<String> options = new ArrayList<>();

  Path dataDir(Benchmark b) {
    return data != null ? data : b.defaultDir();
  }

  /** The repository root when started by the ./arm launcher (-Darm.home), else the working dir. */
  static Path home() {
    return Path.of(System.getProperty("arm.home", ".")).toAbsolutePath().normalize();
  }

  /** "cpu" or "cuda" as given, or null when --device was not given (methods default to cpu). */
  String device() {
    if (device == null) return null;
    String d = device.trim().toLowerCase();
    if (!d.equals("cpu") && !d.equals("cuda")) throw new UsageError("--device must be cpu or cuda, got '" + device + "'");
    return d;
  }

  int threads(int runsInAll) {
    // one GPU: runs one after another unless asked otherwise
    int t = threads != null ? threads : "cuda".equals(device()) ? 1 : Runtime.getRuntime().availableProcessors();
    if (t < 1) throw new UsageError("--threads must be at least 1, got " + t);
    return Math.min(t, Math.max(1, runsInAll));
  }
}

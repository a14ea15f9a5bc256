package arm.cli;

import arm.sweep.ExperimentFile;
import arm.sweep.SweepRoot;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * What {@code arm sweep} and {@code arm run-one} share: the experiment file, its output root and
 * data.
 */
final class ExperimentTarget {
    @Parameters(
            index = "0",
            paramLabel = "FILE",
            description = "experiment file (YAML or JSON) or built-in name")
    String file;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "output root (default: the file's out, else results/<name>)")
    Path out;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description = "dataset folder (default: the file's data, else data/<benchmark>)")
    Path data;

    /**
     * The output root: --out, else the file's out (relative to the repository), else results/NAME.
     */
    SweepRoot root(ExperimentFile f) {
        if (out != null) return new SweepRoot(out);
        if (f.out() != null) return new SweepRoot(RunOptions.home().resolve(f.out()));
        String name =
                !f.name().isEmpty()
                        ? f.name()
                        : Path.of(file).getFileName().toString().replaceAll("\\.(ya?ml|json)$", "");
        return new SweepRoot(RunOptions.home().resolve("results").resolve(name));
    }

    /**
     * --data, else the file's data folder (relative to the repository), else null: the benchmark's
     * default.
     */
    String dataDir(ExperimentFile f) {
        if (data != null) return data.toString();
        return f.data() == null ? null : RunOptions.home().resolve(f.data()).toString();
    }
}

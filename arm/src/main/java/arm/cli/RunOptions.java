package arm.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import picocli.CommandLine.Option;

/** Options shared by {@code reproduce} and {@code train}. */
final class RunOptions {

    enum ValSplit {
        advanced,
        shared
    }

    /** MNIST-5k's training stream ({@link arm.data.Mnist5k.Stream}). */
    enum Stream {
        arm,
        shuffled,
        mir
    }

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description =
                    "dataset folder (default: data/<benchmark> in the repository). MNIST: the four"
                        + " IDX files, plain or .gz, or torchvision's download root"
                        + " (scripts/fetch-mnist.sh). CIFAR10: cifar-10-batches-py/ or"
                        + " cifar-10-batches-bin/. MiniImageNet: train.csv, val.csv, test.csv and"
                        + " images/ (a decoded cache is written beside them)")
    Path data;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description =
                    "output folder for results.json, runs.csv, summary.csv"
                            + " (default: results/<command>-<time> in the repository)")
    Path out;

    @Option(
            names = "--threads",
            paramLabel = "N",
            description =
                    "runs executed in parallel (default: number of cores); a run's large kernels"
                            + " use the cores that the other runs leave idle (-Darm.threads caps"
                            + " the kernel threads)")
    Integer threads;

    @Option(
            names = "--seed0",
            paramLabel = "S",
            description =
                    "run r uses seed S + r for its data split, weights and recall (default: 0; with"
                            + " --rng authors, each method's own run ids from the authors'"
                            + " commands.txt)")
    Long seed0;

    @Option(
            names = "--rng",
            paramLabel = "MODE",
            description =
                    "ours: our seeded streams; authors: the authors' own generators, as their code"
                        + " draws (PyTorch's for weights and splits, seeded with the run id;"
                        + " numpy's from seed 0 for recall draws), for Naive, Stationary, Distill,"
                        + " ADI and ARM on mnist (default: authors for reproduce mnist, ours"
                        + " otherwise; ER rows always ours)")
    String rng;

    @Option(
            names = "--val-split",
            paramLabel = "MODE",
            defaultValue = "advanced",
            description =
                    "advanced: val from a second permutation, as the authors' code (ALGORITHM.md §9"
                            + " D11); shared: one permutation, disjoint train/val (default:"
                            + " ${DEFAULT-VALUE})")
    ValSplit valSplit;

    @Option(
            names = "--gradient-samples",
            paramLabel = "N",
            defaultValue = "1000",
            description =
                    "recalled samples for the gradient study (paper Fig. 7, Tables 9-10) on the"
                            + " final model of run 0 of ARM and ADI; 0 = off (default:"
                            + " ${DEFAULT-VALUE})")
    int gradientSamples;

    @Option(
            names = "--no-figures",
            negatable = false,
            description = "record no recall data and write no figures or report.md")
    boolean noFigures;

    @Option(
            names = "--device",
            paramLabel = "DEV",
            description =
                    "cpu or cuda: where every method trains (the method option device; default:"
                            + " cpu)")
    String device;

    @Option(
            names = {"-o", "--option"},
            paramLabel = "[METHOD:]KEY=VALUE",
            description =
                    "method hyperparameter override, for every selected method or only METHOD's;"
                            + " repeatable, e.g. -o ARM:M=20")
    List<String> options = new ArrayList<>();

    @Option(
            names = "--samples-per-class",
            paramLabel = "N",
            description =
                    "training samples kept per class (default: 500, the paper's; fewer only for"
                            + " quick tests)")
    Integer samplesPerClass;

    @Option(
            names = "--tasks",
            paramLabel = "N",
            description =
                    "a shortened run: the benchmark's first N ≥ 2 tasks only (their part of the"
                        + " training stream, their classes of val and test) and a single head of"
                        + " their N·classes-per-task outputs, which the memory columns then count;"
                        + " the table says so (default: every task)")
    Integer tasks;

    @Option(
            names = "--stream",
            paramLabel = "MODE",
            defaultValue = "arm",
            description =
                    "mnist only. arm: the ARM code's 500 per class, whose task blocks end in one"
                        + " class only; shuffled: the same samples, each task block shuffled; mir:"
                        + " the MIR authors' code, a fresh uniformly shuffled 1,010 per task from a"
                        + " split fixed across runs (docs/REPRODUCE.md \"ER and ER-MIR\"; default:"
                        + " ${DEFAULT-VALUE})")
    Stream stream;

    @Option(
            names = "--checkpoint-every",
            paramLabel = "K",
            description =
                    "checkpoint every K ≥ 1 iterations as well (default: at task ends and at the"
                            + " end only); checkpoints go to OUT/checkpoints/")
    Integer checkpointEvery;

    @Option(
            names = "--log-every",
            paramLabel = "K",
            description =
                    "training log runs/<run>/train-log.csv: losses, learning rate and time every K"
                            + " iterations; 0 = off (default: 1 on the CPU, 10 with --device cuda,"
                            + " where each row reads a few scalars back from the device)")
    Integer logEvery;

    @Option(
            names = "--keep-checkpoints",
            negatable = false,
            description =
                    "keep the checkpoints when the command has finished (the trained weights) and a"
                        + " copy of every task-end checkpoint, METHOD-runR-tT.safetensors (default:"
                        + " one per run while it runs, all removed once every run has finished and"
                        + " results.json holds them)")
    boolean keepCheckpoints;

    @Option(
            names = "--resume",
            paramLabel = "DIR",
            description =
                    "continue the command whose results folder is DIR: finished runs are kept, the"
                            + " others continue from their last checkpoint, bit-identical to an"
                            + " uninterrupted run; the settings come from DIR/results.json (only"
                            + " --data, --threads, --checkpoint-every and --log-every may be given"
                            + " again)")
    Path resume;

    /** The most runs per method one command takes (results.json is rewritten after every run). */
    static final int MAX_RUNS = 1000;

    /** --out or --resume as given, refusing an empty path (which would mean the working folder). */
    static Path folder(String option, Path p) {
        if (p != null && p.toString().isBlank())
            throw new UsageError(
                    option + " is empty; name a folder (e.g. " + option + " results/mine)");
        return p;
    }

    /** The options that define a run, which --resume takes from results.json instead. */
    static final List<String> DEFINING =
            List.of(
                    "--out",
                    "--seed0",
                    "--rng",
                    "--val-split",
                    "--stream",
                    "--option",
                    "--samples-per-class",
                    "--tasks",
                    "--methods",
                    "--runs",
                    "--method",
                    "--dataset",
                    "--gradient-samples",
                    "--no-figures",
                    "--device");

    /**
     * Rejects run-defining options next to --resume; {@code extra} are train's --KEY VALUE options.
     */
    static void checkResume(picocli.CommandLine.Model.CommandSpec spec, Collection<String> extra) {
        picocli.CommandLine.ParseResult pr = spec.commandLine().getParseResult();
        for (String name : DEFINING)
            if (spec.findOption(name) != null && pr.hasMatchedOption(name))
                throw new UsageError(
                        "--resume takes the settings from the results folder; drop " + name);
        if (!extra.isEmpty())
            throw new UsageError(
                    "--resume takes the settings from the results folder; drop "
                            + String.join(" ", extra));
    }

    /**
     * "ours" or "authors": as given, else authors for {@code reproduce mnist} on the authors' own
     * stream, ours otherwise.
     */
    String rng(Benchmark bench, boolean reproduce) {
        if (rng == null)
            return reproduce && bench == Benchmark.mnist && stream == Stream.arm
                    ? "authors"
                    : "ours";
        String r = rng.trim().toLowerCase();
        if (!r.equals("ours") && !r.equals("authors"))
            throw new UsageError("--rng must be ours or authors, got '" + rng + "'");
        if (r.equals("authors") && bench != Benchmark.mnist)
            throw new UsageError(
                    "--rng authors replays the authors' MNIST runs; "
                            + bench
                            + " has our streams only");
        if (r.equals("authors") && stream != Stream.arm)
            throw new UsageError(
                    "--rng authors draws the authors' own protocol; it cannot go with --stream "
                            + stream);
        return r;
    }

    /** --tasks as given (null: every task), at least 2: forgetting needs a task before the last. */
    Integer tasks() {
        if (tasks != null && tasks < 2)
            throw new UsageError(
                    "--tasks must be at least 2 (forgetting needs two tasks), got " + tasks);
        return tasks;
    }

    int checkpointEvery() {
        if (checkpointEvery == null) return 0; // task ends and the end only
        if (checkpointEvery < 1)
            throw new UsageError(
                    "--checkpoint-every must be at least 1, got "
                            + checkpointEvery
                            + " (leave it out for checkpoints at task ends only)");
        return checkpointEvery;
    }

    /**
     * K of the training log for runs on {@code device} (null = cpu): as given, else the default.
     */
    int logEvery(String device) {
        int k = logEvery != null ? logEvery : "cuda".equals(device) ? 10 : 1;
        if (k < 0) throw new UsageError("--log-every must be at least 0 (0 = off), got " + k);
        return k;
    }

    Path dataDir(Benchmark b) {
        return data != null ? data : b.defaultDir();
    }

    /**
     * The repository root when started by the ./arm launcher (-Darm.home), else the working dir.
     */
    static Path home() {
        return Path.of(System.getProperty("arm.home", ".")).toAbsolutePath().normalize();
    }

    /** "cpu" or "cuda" as given, or null when --device was not given (methods default to cpu). */
    String device() {
        if (device == null) return null;
        String d = device.trim().toLowerCase();
        if (!d.equals("cpu") && !d.equals("cuda"))
            throw new UsageError("--device must be cpu or cuda, got '" + device + "'");
        return d;
    }

    int threads(int runsInAll) {
        return threads(runsInAll, device());
    }

    /** The same for runs on {@code device} (null = cpu), e.g. a resumed command's. */
    int threads(int runsInAll, String device) {
        // one GPU: runs one after another unless asked otherwise
        int t =
                threads != null
                        ? threads
                        : "cuda".equals(device) ? 1 : Runtime.getRuntime().availableProcessors();
        if (t < 1) throw new UsageError("--threads must be at least 1, got " + t);
        if (t > 1
                && "cuda"
                        .equals(device)) // the CUDA backend has one stream, one cuBLAS/cuDNN handle
            // and workspace
            throw new UsageError(
                    "--threads "
                            + t
                            + " with --device cuda: runs on the GPU share one stream and one"
                            + " cuBLAS/cuDNN handle, so they run one after another; use --threads"
                            + " 1");
        return Math.min(t, Math.max(1, runsInAll));
    }
}

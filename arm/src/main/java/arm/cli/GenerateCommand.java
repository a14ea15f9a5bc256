package arm.cli;

import arm.gen.Generator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code arm generate cifar10|miniimagenet --out DIR}: a dataset in the real one's layout, from
 * MNIST digits or noise, that {@code reproduce --data DIR} reads unchanged ({@link Generator}).
 */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description =
                "Write a CIFAR10- or MiniImageNet-format dataset made from MNIST digits (shape and"
                        + " colour carry the class) or from noise, full size by default; reproduce"
                        + " --data DIR reads it like the real one. For checking and timing the"
                        + " pipeline: its numbers say nothing about the paper's.")
final class GenerateCommand implements Callable<Integer> {
    private final Main.Context ctx;

    @Parameters(index = "0", paramLabel = "BENCHMARK", description = "cifar10 or miniimagenet")
    Generator.Kind kind;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description =
                    "new (or empty) folder to write; pass it to reproduce/train as --data DIR")
    Path out;

    @Option(
            names = "--source",
            paramLabel = "mnist|noise",
            defaultValue = "mnist",
            description =
                    "mnist: MNIST digits, coloured per class over varied backgrounds (learnable);"
                        + " noise: uniform noise (nothing to learn) (default: ${DEFAULT-VALUE})")
    Generator.Source source;

    @Option(
            names = "--mnist",
            paramLabel = "DIR",
            description = "MNIST folder for --source mnist (default: data/mnist)")
    Path mnist;

    @Option(
            names = "--per-class",
            paramLabel = "N",
            description =
                    "images per class: CIFAR10 training images (default 5000: 50,000 in all; e.g."
                            + " 100 for a quick run), MiniImageNet images (default 600: 60,000"
                            + " in all; e.g. 50)")
    Integer perClass;

    @Option(
            names = "--test-per-class",
            paramLabel = "N",
            description = "CIFAR10 only: test images per class (default: --per-class / 5)")
    Integer testPerClass;

    @Option(
            names = "--format",
            paramLabel = "both|python|binary",
            defaultValue = "both",
            description =
                    "CIFAR10 only: cifar-10-batches-py (pickles), cifar-10-batches-bin or both"
                            + " (default: ${DEFAULT-VALUE})")
    Generator.Format format;

    @Option(
            names = "--seed",
            paramLabel = "S",
            defaultValue = "0",
            description = "the same seed gives the same bytes (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(
            names = "--threads",
            paramLabel = "N",
            description = "images painted at a time (default: number of cores)")
    Integer threads;

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    GenerateCommand(Main.Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        boolean cifar = kind == Generator.Kind.cifar10;
        if (!cifar && testPerClass != null)
            throw new UsageError(
                    "--test-per-class is for cifar10 only (MiniImageNet's test images are the last"
                            + " 20% of each class's --per-class)");
        if (!cifar && spec.commandLine().getParseResult().hasMatchedOption("--format"))
            throw new UsageError("--format is for cifar10 only (MiniImageNet is JPEGs + CSVs)");
        if (source == Generator.Source.noise && mnist != null)
            throw new UsageError("--mnist is for --source mnist only");
        int per =
                perClass != null
                        ? perClass
                        : cifar ? Generator.CIFAR_PER_CLASS : Generator.MINI_PER_CLASS;
        int test = testPerClass != null ? testPerClass : cifar ? Math.max(1, per / 5) : 0;
        String problem = Generator.countProblem(kind, per, test);
        if (problem != null) throw new UsageError(problem);
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (t < 1) throw new UsageError("--threads must be at least 1, got " + t);
        Path m = mnist != null ? mnist : RunOptions.home().resolve("data").resolve("mnist");
        long start = System.nanoTime();
        List<String> lines;
        try {
            lines =
                    Generator.generate(
                            new Generator.Spec(kind, out, source, m, per, test, seed, format, t),
                            ctx.err()::println);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        } catch (IOException e) {
            throw new UsageError(
                    (source == Generator.Source.mnist ? "MNIST for --source mnist: " : "")
                            + e.getMessage(),
                    e);
        }
        for (String l : lines) ctx.out().println(l);
        ctx.out()
                .printf(
                        java.util.Locale.ROOT,
                        "Wrote %s in %.1f s (generated data, see %s there); run it with:"
                                + " ./arm.sh reproduce %s --data %s%n",
                        out,
                        (System.nanoTime() - start) / 1e9,
                        Generator.INFO,
                        kind,
                        out);
        return 0;
    }
}

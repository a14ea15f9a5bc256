package arm.cli;

import arm.method.Methods;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code arm reproduce mnist|cifar10|miniimagenet}: a table of the paper, every method × 5 runs.
 */
@Command(
        name = "reproduce",
        mixinStandardHelpOptions = true,
        description =
                "Reproduce a table of the paper: every method, several seeds; prints the table and"
                        + " writes results.json, runs.csv and summary.csv.")
final class ReproduceCommand implements Callable<Integer> {

    private final Main.Context ctx;

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "BENCHMARK",
            description =
                    "mnist (MNIST-5k-5), cifar10 (CIFAR10-5) or miniimagenet (MiniImageNet-20);"
                            + " omitted with --resume")
    Benchmark benchmark;

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--methods",
            split = ",",
            paramLabel = "M1,M2",
            description =
                    "methods to run (default: Naive,Stationary,Distill,ADI,ARM,ER,ER-MIR, and"
                            + " on mnist GEN,GEN-MIR); ER and ER-MIR give one row per paper buffer"
                            + " size (MNIST: ER-50, ER-25), ER-50 just one")
    List<String> methods;

    @Option(
            names = "--runs",
            paramLabel = "N",
            defaultValue = "5",
            description = "runs per method (default: ${DEFAULT-VALUE})")
    int runs;

    @Mixin RunOptions options;

    ReproduceCommand(Main.Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        if (options.resume != null) {
            RunOptions.checkResume(spec, java.util.List.of());
            if (benchmark != null)
                throw new UsageError(
                        "--resume takes the settings from the results folder; drop " + benchmark);
            return Runner.resume(ctx, options, options.resume);
        }
        if (benchmark == null)
            throw new UsageError("missing BENCHMARK (mnist, cifar10 or miniimagenet)");
        List<String> rows =
                Methods.tableRows(
                        methods != null ? methods : Methods.paper(benchmark.name()),
                        benchmark.name());
        return Runner.execute(
                ctx,
                options,
                benchmark,
                "reproduce " + benchmark,
                benchmark.name(),
                rows,
                Map.of(),
                runs);
    }
}

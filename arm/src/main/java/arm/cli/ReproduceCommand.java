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
                            + " on mnist GEN,GEN-MIR, on cifar10 iCaRL,GEM); ER and ER-MIR give one"
                            + " row per paper buffer"
                            + " size (MNIST: ER-50, ER-25), ER-50 just one")
    List<String> methods;

    @Option(
            names = "--runs",
            paramLabel = "N",
            defaultValue = "5",
            description = "runs per method (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(
            names = "--table",
            paramLabel = "N",
            description =
                    "the paper's table: mnist 6, cifar10 1, miniimagenet 5 (each the default), or"
                        + " cifar10 7: the ablations of Table 7 (ARM with one setting changed per"
                        + " row; Fig. 6 is the figures of its 'recall 2x' row), run from the"
                        + " built-in experiment file table7 as one folder per run under --out, then"
                        + " merged beside the paper's values; the same command again continues it")
    Integer table;

    @Option(
            names = "--dry-run",
            description = "with --table 7: list the rows and runs without running anything")
    boolean dryRun;

    @Mixin RunOptions options;

    ReproduceCommand(Main.Context ctx) {
        this.ctx = ctx;
    }

    /** True when the option was typed on the command line. */
    boolean given(String option) {
        return spec.findOption(option) != null
                && spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    @Override
    public Integer call() throws InterruptedException {
        if (table != null && benchmark != null) {
            String file = PaperTable.file(benchmark, table);
            if (file != null) return PaperTable.run(ctx, this, benchmark, table, file);
        }
        if (dryRun) throw new UsageError("--dry-run goes with --table 7 (cifar10) only");
        if (table != null && options.resume != null)
            throw new UsageError(
                    "--resume takes the settings from the results folder; drop --table");
        if (options.resume != null) {
            RunOptions.checkResume(spec, List.of());
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

package arm.cli;

import java.io.PrintStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code arm} command line.
 *
 * <pre>
 *   arm reproduce mnist|cifar10|miniimagenet [--methods Naive,Stationary,Distill,ADI,ARM] [--runs 5] [--data DIR] [--out DIR]
 *   arm train --method ARM [--dataset mnist|cifar10|miniimagenet] [--runs 1] [--M 20 --lr 0.05 …]
 *   arm plot DIR [--all-runs]
 *   arm methods [NAME]
 *   arm sweep FILE [--executor local|slurm] [--status] [--dry-run]; arm run-one FILE --run ID
 *   arm report DIR… [--allow-mixed]; arm experiment list|show|runs NAME
 *   arm generate cifar10|miniimagenet --out DIR [--source mnist|noise] [--per-class N] [--seed S]
 * </pre>
 *
 * Exit codes: 0 success; 1 a run failed (the finished ones are in the results); 2 bad input (an
 * option, a method option, the data folder or its files), reported as one line. Every error is one
 * line on stderr starting "arm: ", followed at most by a hint line.
 */
@Command(
        name = "arm",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description =
                "Automatic Recall Machines (continual learning) in Java: reproduce the paper's"
                        + " tables.",
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  success",
            "  1  a run failed (finished runs are saved; continue with --resume DIR)",
            "  2  bad input: an option, a method option, the data folder or one of its files",
            "  130, 143  stopped by Ctrl-C or SIGTERM (continue with --resume DIR)",
            "Every error is one line on stderr starting \"arm: \"."
        })
public final class Main implements Runnable {
    public static final int EXIT_RUN_FAILED = 1, EXIT_BAD_INPUT = 2;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        java.util.OptionalInt child =
                Relaunch.withVectorApi(Main.class, args); // java -jar: restart with the Vector API
        System.exit(
                child.isPresent()
                        ? child.getAsInt()
                        : run(args, MethodFactory.PUBLISHED, System.out, System.err));
    }

    /** Runs the command line with the given method factory and streams; returns the exit code. */
    public static int run(String[] args, MethodFactory factory, PrintStream out, PrintStream err) {
        Context ctx = new Context(factory, out, err, java.util.List.of(args));
        CommandLine cl =
                new CommandLine(new Main())
                        .addSubcommand("reproduce", new ReproduceCommand(ctx))
                        .addSubcommand("train", new TrainCommand(ctx))
                        .addSubcommand("plot", new PlotCommand(ctx))
                        .addSubcommand("methods", new MethodsCommand(ctx))
                        .addSubcommand("experiment", new ExperimentCommand(ctx))
                        .addSubcommand("run-one", new RunOneCommand(ctx))
                        .addSubcommand("sweep", new SweepCommand(ctx))
                        .addSubcommand("report", new ReportCommand(ctx))
                        .addSubcommand("generate", new GenerateCommand(ctx));
        TrainCommand.addMethodHelp(cl.getSubcommands().get("train"));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.registerConverter(Benchmark.class, Benchmark::named);
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setParameterExceptionHandler(
                (e, args1) -> {
                    err.println("arm: " + Errors.oneLine(e.getMessage()));
                    err.println("see " + Errors.helpFor(e.getCommandLine()));
                    return EXIT_BAD_INPUT;
                });
        cl.setExecutionExceptionHandler(
                (e, commandLine, parseResult) -> {
                    if (e instanceof UsageError) {
                        err.println("arm: " + Errors.oneLine(e.getMessage()));
                        return EXIT_BAD_INPUT;
                    }
                    err.println(
                            "arm: unexpected error: "
                                    + Errors.oneLine(String.valueOf(e))
                                    + (Errors.DEBUG
                                            ? ""
                                            : " (-Darm.debug=true prints the stack trace)"));
                    if (Errors.DEBUG) e.printStackTrace(err);
                    return EXIT_RUN_FAILED;
                });
        return cl.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(),
                "missing command: reproduce, train, plot, methods, experiment, sweep, run-one,"
                        + " report or generate");
    }

    /**
     * What the subcommands share; {@code args} is the command line, for results.json's provenance.
     */
    record Context(
            MethodFactory factory, PrintStream out, PrintStream err, java.util.List<String> args) {}

    /** {@code arm --version}: the build's version and git commit ({@link arm.io.Provenance}). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {arm.io.Provenance.build().line()};
        }
    }
}

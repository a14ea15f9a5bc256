package arm.cli;

import arm.io.Provenance;
import arm.run.Warmup;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.OptionalInt;
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
        OptionalInt child =
                Relaunch.withVectorApi(Main.class, args); // java -jar: restart with the Vector API
        if (child.isPresent()) System.exit(child.getAsInt());
        // -Darm.warmup=N: the JIT warm-up beside the start-up (arm.run.Warmup)
        if (args.length > 0 && args[0].equals("train")) Warmup.startEarly();
        System.exit(run(args, MethodFactory.PUBLISHED, System.out, System.err));
    }

    /** Runs the command line with the given method factory and streams; returns the exit code. */
    public static int run(String[] args, MethodFactory factory, PrintStream out, PrintStream err) {
        return run(args, factory, out, err, false);
    }

    /** The subcommands' names, in the order {@code arm --help} lists them. */
    static final List<String> SUBCOMMANDS =
            List.of(
                    "reproduce",
                    "train",
                    "plot",
                    "methods",
                    "experiment",
                    "run-one",
                    "sweep",
                    "report",
                    "generate");

    private static Object subcommand(String name, Context ctx) {
        return switch (name) {
            case "reproduce" -> new ReproduceCommand(ctx);
            case "train" -> new TrainCommand(ctx);
            case "plot" -> new PlotCommand(ctx);
            case "methods" -> new MethodsCommand(ctx);
            case "experiment" -> new ExperimentCommand(ctx);
            case "run-one" -> new RunOneCommand(ctx);
            case "sweep" -> new SweepCommand(ctx);
            case "report" -> new ReportCommand(ctx);
            case "generate" -> new GenerateCommand(ctx);
            default -> throw new IllegalArgumentException(name);
        };
    }

    /**
     * {@code all}: the whole command tree. Otherwise, when the first argument names a subcommand,
     * only that one is built: picocli reads every subcommand's annotations by reflection when it is
     * added (0.1-0.3 s of a cold JVM's start for the nine; its own classes are Java 5 class files
     * that the JVM's class cache cannot hold). Parsing, help and errors of a command line that
     * starts with a subcommand's name only ever look at that subcommand and the top command;
     * anything else (no arguments, {@code --help}, a misspelt name) gets the whole tree. MainTest
     * checks both give the same output and exit code.
     */
    static int run(
            String[] args, MethodFactory factory, PrintStream out, PrintStream err, boolean all) {
        Context ctx = new Context(factory, out, err, List.of(args));
        CommandLine cl = new CommandLine(new Main());
        String only = !all && args.length > 0 && SUBCOMMANDS.contains(args[0]) ? args[0] : null;
        for (String name : SUBCOMMANDS)
            if (only == null || only.equals(name)) cl.addSubcommand(name, subcommand(name, ctx));
        if (cl.getSubcommands().containsKey("train"))
            TrainCommand.addMethodHelp(cl.getSubcommands().get("train"));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.registerConverter(Benchmark.class, Benchmark::named);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
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
    record Context(MethodFactory factory, PrintStream out, PrintStream err, List<String> args) {}

    /** {@code arm --version}: the build's version and git commit ({@link arm.io.Provenance}). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {Provenance.build().line()};
        }
    }
}

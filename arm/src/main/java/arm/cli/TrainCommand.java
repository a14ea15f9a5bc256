package arm.cli;

import arm.method.Methods;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/**
 * {@code arm train --method ARM [--dataset cifar10] [--KEY VALUE …]}: one method on one benchmark
 * with any hyperparameter changed. Every option the command itself does not know is a method
 * option: {@code --M 20}, {@code --lr=0.05}, or a bare {@code --flag} (value "true").
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description =
                "Train one method on one benchmark with any hyperparameters (--KEY VALUE or"
                        + " -o KEY=VALUE); same outputs as reproduce.")
final class TrainCommand implements Callable<Integer> {
    private final Main.Context ctx;

    @Option(
            names = "--method",
            paramLabel = "NAME",
            description =
                    "one of `arm methods` (Naive, Stationary, Distill, ADI, ARM, ER, ER-MIR, …;"
                            + " buffer: --mem 50, or ER-50); required unless --resume. With --help:"
                            + " lists the method's options")
    String method;

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--dataset",
            paramLabel = "NAME",
            defaultValue = "mnist",
            description =
                    "mnist, cifar10 or miniimagenet; the method starts from that dataset's"
                            + " published hyperparameters (default: ${DEFAULT-VALUE})")
    Benchmark dataset;

    @Option(
            names = "--runs",
            paramLabel = "N",
            defaultValue = "1",
            description = "runs, with seeds seed0 … seed0+N−1 (default: ${DEFAULT-VALUE})")
    int runs;

    @Mixin RunOptions options;

    @Unmatched List<String> rest = new ArrayList<>();

    TrainCommand(Main.Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        if (options.resume != null) {
            RunOptions.checkResume(spec, rest);
            return Runner.resume(ctx, options, options.resume);
        }
        if (method == null)
            throw new UsageError(
                    "missing --method NAME (" + String.join(", ", Methods.names()) + ")");
        return Runner.execute(
                ctx,
                options,
                dataset,
                "train",
                "train-" + method.toLowerCase(),
                List.of(method),
                methodOptions(rest),
                runs);
    }

    /**
     * Ends {@code train --method NAME --help} with NAME's options, defaults and meanings ({@link
     * MethodsCommand#options}); without --method, with the hint to give one.
     */
    static void addMethodHelp(picocli.CommandLine train) {
        String key = "methodOptions";
        train.getHelpSectionMap()
                .put(
                        key,
                        help -> {
                            String m = ((TrainCommand) train.getCommand()).method;
                            if (m == null)
                                return "%nMethod options: `arm train --method NAME --help` or `arm methods NAME` lists them.%n"
                                        .formatted();
                            try {
                                return System.lineSeparator()
                                        + MethodsCommand.options(
                                                Methods.base(Methods.canonical(m.trim())));
                            } catch (IllegalArgumentException e) {
                                return System.lineSeparator()
                                        + e.getMessage()
                                        + System.lineSeparator();
                            }
                        });
        List<String> keys = new ArrayList<>(train.getHelpSectionKeys());
        keys.add(key);
        train.setHelpSectionKeys(keys);
    }

    /** "--KEY VALUE", "--KEY=VALUE" and "--FLAG" (→ "true") as a map, in order. */
    static Map<String, String> methodOptions(List<String> args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--") || a.length() == 2)
                throw new UsageError(
                        "unexpected argument '" + a + "' (method options look like --KEY VALUE)");
            String key = a.substring(2), value;
            int eq = key.indexOf('=');
            if (eq >= 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                value = args.get(++i);
            } else {
                value = "true";
            }
            if (key.isEmpty()) throw new UsageError("empty option name in '" + a + "'");
            out.put(key, value);
        }
        return out;
    }
}

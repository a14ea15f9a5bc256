package arm.cli;

import arm.method.MethodOption;
import arm.method.MethodProvider;
import arm.method.Methods;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code arm methods [NAME]}: the registered methods, or one method's options with their defaults
 * per dataset, the paper's symbol and one line of meaning ({@link MethodOption}, declared beside
 * the method). {@code arm train --method NAME --help} ends with the same table.
 */
@Command(
        name = "methods",
        mixinStandardHelpOptions = true,
        description =
                "List the methods, or one method's options (--KEY VALUE of train) with their"
                        + " defaults per dataset and their meaning.")
final class MethodsCommand implements Callable<Integer> {
    private final Main.Context ctx;

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "NAME",
            description = "a method, e.g. ARM")
    String name;

    MethodsCommand(Main.Context ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        if (name == null) {
            ctx.out().println("Methods, in table order (arm methods NAME lists one's options):");
            for (String n : Methods.names()) {
                MethodProvider p = Methods.provider(n);
                ctx.out()
                        .printf(
                                "  %-12s %d options%s%n",
                                n,
                                p.options().size(),
                                p.bufferRows()
                                        ? "; rows with the buffer size, e.g. " + n + "-50"
                                        : "");
            }
            return 0;
        }
        ctx.out().print(options(canonical(name)));
        return 0;
    }

    private static String canonical(String typed) {
        try {
            return Methods.base(Methods.canonical(typed.trim()));
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
    }

    /** The table of {@code method}'s options: key, symbol, default on each dataset, meaning. */
    static String options(String method) {
        List<MethodOption> opts = Methods.provider(method).options();
        int k = 4, v = 7;
        for (MethodOption o : opts) {
            k = Math.max(k, o.key().length());
            v =
                    Math.max(
                            v,
                            Math.max(
                                    o.mnist().length(),
                                    Math.max(o.cifar10().length(), o.miniimagenet().length())));
        }
        String row =
                "  %-"
                        + k
                        + "s  %-6s  %-"
                        + v
                        + "s  %-"
                        + v
                        + "s  %-"
                        + Math.max(v, 12)
                        + "s  %s%n";
        StringBuilder sb =
                new StringBuilder(
                        String.format(
                                Locale.ROOT,
                                "%s options (train: --KEY VALUE; reproduce: -o %s:KEY=VALUE);"
                                        + " default per --dataset:%n",
                                method,
                                method));
        sb.append(
                String.format(
                        Locale.ROOT,
                        row,
                        "KEY",
                        "SYMBOL",
                        "mnist",
                        "cifar10",
                        "miniimagenet",
                        "MEANING"));
        for (MethodOption o : opts)
            sb.append(
                    String.format(
                            Locale.ROOT,
                            row,
                            o.key(),
                            o.symbol(),
                            o.mnist(),
                            o.cifar10(),
                            o.miniimagenet(),
                            o.meaning()));
        return sb.toString();
    }
}

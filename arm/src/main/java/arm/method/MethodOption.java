package arm.method;

import arm.run.Defaults;
import arm.run.Options;
import java.util.ArrayList;
import java.util.List;

/**
 * One option of a method, declared once with everything the CLI shows about it: the key ({@code
 * --KEY VALUE}), the paper's symbol where it has one, a one-line meaning, and the published default
 * on each dataset's table (the authors' commands.txt = paper Table 4; ALGORITHM.md §2.4, §3).
 * {@link MethodProvider#options} lists a method's options in this form; {@link Defaults#of} and
 * {@code arm methods NAME} read them from there, so the defaults, their meanings and the help
 * cannot drift apart.
 *
 * @param symbol the paper's symbol (λ1, η0, M, …), or "" where it has none
 * @param mnist default with the MNIST table ({@link Defaults#MNIST})
 * @param cifar10 default with the CIFAR10 table
 * @param miniimagenet default with the MiniImageNet table
 */
public record MethodOption(
        String key,
        String symbol,
        String meaning,
        String mnist,
        String cifar10,
        String miniimagenet) {

    public MethodOption {
        if (meaning == null || meaning.isBlank())
            throw new IllegalArgumentException("option " + key + " has no meaning");
    }

    /** The same default on every dataset. */
    public static MethodOption of(String key, String symbol, String meaning, String all) {
        return new MethodOption(key, symbol, meaning, all, all, all);
    }

    /** One default on MNIST, another on CIFAR10 and MiniImageNet. */
    public static MethodOption of(
            String key, String symbol, String meaning, String mnist, String other) {
        return new MethodOption(key, symbol, meaning, mnist, other, other);
    }

    /**
     * The default with {@code table}'s published hyperparameters (mnist, cifar10, miniimagenet).
     */
    public String defaultFor(String table) {
        return switch (table) {
            case Defaults.MNIST -> mnist;
            case Defaults.CIFAR10 -> cifar10;
            case Defaults.MINIIMAGENET -> miniimagenet;
            default -> throw new IllegalArgumentException("unknown defaults table '" + table + "'");
        };
    }

    // --------------------------------------------------- groups that several methods share

    /** Options every method of the shared loop ({@link ContinualMethod}) reads, appended last. */
    public static final List<MethodOption> COMMON =
            List.of(
                    of(
                            "eval_every",
                            "",
                            "evaluate val and test every N iterations as well as at task ends"
                                    + " (integer or \"task\")",
                            Options.TASK),
                    of(
                            "model",
                            "",
                            "auto | mlp | resnet18 (auto: the dataset's network: MLP on MNIST,"
                                    + " ResNet18 otherwise)",
                            "auto"),
                    of(
                            "mlp_hidden",
                            "",
                            "MLP width (400 is the paper's; smaller only for quick tests)",
                            "400"),
                    of(
                            "resnet_nf",
                            "nf",
                            "ResNet18 base width (20 is the paper's; smaller only for quick tests)",
                            "20"),
                    of(
                            "device",
                            "",
                            "cpu | cuda: where the model, batches and recalled images live",
                            "cpu"),
                    of(
                            "rng",
                            "",
                            "ours | authors: our seeded streams, or the authors' generators for"
                                    + " their run ids (MNIST MLP only)",
                            "ours"));

    /** The lag rule of the methods with an old model f_old (Distill, ADI, ARM). */
    static final List<MethodOption> LAG =
            List.of(
                    of(
                            "lag",
                            "",
                            "when f_old ← f_cur: fixed (every T) | unit (every t) | random (in"
                                    + " [lag_min, lag_max])",
                            "fixed"),
                    of(
                            "T",
                            "T",
                            "lag of f_old in iterations (integer or \"task\" = batches per task)",
                            Options.TASK),
                    of("lag_min", "", "lag random: shortest lag", "1"),
                    of("lag_max", "", "lag random: longest lag", "1"),
                    of(
                            "recall_from_t",
                            "",
                            "first iteration with step B (integer or \"task\" = batches per task)",
                            Options.TASK));

    /** The recall options ADI and ARM share, first in their tables. */
    static final List<MethodOption> RECALL =
            List.of(
                    of("lr", "η0", "SGD learning rate of f_cur", "0.05", "0.01"),
                    of("M", "M", "recalled batch size", "10", "100"),
                    of("S", "S", "input refinement steps per recall", "10"),
                    of("eta1", "η1", "input step size of the refinement", "25.0", "10.0"),
                    of("R", "", "recalls per iteration (refine_theta_steps)", "1"),
                    of("from_scratch", "", "re-initialise X̂ every recall round r", "false"),
                    of("init", "", "X̂'s start: real (rows of X) | noise (U[0,1))", "real"),
                    of(
                            "divergence",
                            "",
                            "R_D's form: reversed_kl (the authors' code) | js (the paper's text) |"
                                    + " ce",
                            "reversed_kl"));

    /** {@code parts} concatenated, then {@link #COMMON}. */
    @SafeVarargs
    static List<MethodOption> table(List<MethodOption>... parts) {
        List<MethodOption> out = new ArrayList<>();
        for (List<MethodOption> p : parts) out.addAll(p);
        out.addAll(COMMON);
        return List.copyOf(out);
    }
}

package arm.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The continual benchmarks the CLI runs: every {@link DatasetProvider} on the class path (the
 * paper's mnist, cifar10 and miniimagenet, and any registered beside them), with where their files
 * live by default, how a run's split is built, which published defaults the methods take, and the
 * paper's numbers.
 */
final class Benchmark {
    private static final Map<String, Benchmark> ALL = load();
    static final Benchmark mnist = ALL.get("mnist"),
            cifar10 = ALL.get("cifar10"),
            miniimagenet = ALL.get("miniimagenet");
    final String title, dataset;
    final Map<String, Paper.Row> paper;
    private final DatasetProvider provider;

    private Benchmark(DatasetProvider p) {
        this.provider = p;
        this.title = p.title();
        this.dataset = p.defaults();
        this.paper = p.paper();
    }

    private static Map<String, Benchmark> load() {
        List<DatasetProvider> all = new ArrayList<>();
        ServiceLoader.load(DatasetProvider.class, Benchmark.class.getClassLoader())
                .forEach(all::add);
        all.sort(
                Comparator.comparingInt(DatasetProvider::order)
                        .thenComparing(DatasetProvider::name));
        Map<String, Benchmark> out = new LinkedHashMap<>();
        for (DatasetProvider p : all)
            if (out.put(p.name(), new Benchmark(p)) != null)
                throw new IllegalStateException("two datasets are registered as " + p.name());
        return Collections.unmodifiableMap(out);
    }

    /** Every registered benchmark, in order. */
    static List<Benchmark> values() {
        return List.copyOf(ALL.values());
    }

    /**
     * The benchmark named {@code name} (any case), or an error listing the known ones (picocli's
     * converter).
     */
    static Benchmark named(String name) {
        Benchmark b = ALL.get(name.trim().toLowerCase(Locale.ROOT));
        if (b == null)
            throw new picocli.CommandLine.TypeConversionException(
                    "expected one of "
                            + String.join(", ", ALL.keySet())
                            + " but was '"
                            + name
                            + "'");
        return b;
    }

    String name() {
        return provider.name();
    }

    @Override
    public String toString() {
        return name();
    }

    /** The default data folder: data/&lt;name&gt; in the repository. */
    Path defaultDir() {
        return RunOptions.home().resolve("data").resolve(name());
    }

    /** True when the val split depends on --val-split (CIFAR's is deterministic and disjoint). */
    boolean hasValSplitChoice() {
        return provider.valSplitChoice();
    }

    /**
     * The benchmark a results.json names (config.benchmark, or its title in config.dataset), or
     * null.
     */
    static Benchmark of(Object name, Object title) {
        for (Benchmark b : ALL.values())
            if (b.name().equals(name) || b.title.equals(title)) return b;
        return null;
    }

    /** Whether it runs MNIST's protocol (the MLP on 784-pixel images). */
    boolean mnistProtocol() {
        return provider.mnistProtocol();
    }

    /**
     * Reads the dataset from {@code dir}; a missing or damaged file is an IOException naming it.
     */
    DatasetProvider.Source open(Path dir, boolean sharedValSplit) throws IOException {
        return open(dir, sharedValSplit, null, RunOptions.Stream.arm);
    }

    /**
     * The same with MNIST-5k's samples per class changed ({@code --samples-per-class}, for quick
     * runs and tests; null = the paper's 500) and its training stream ({@code --stream}).
     */
    DatasetProvider.Source open(
            Path dir, boolean sharedValSplit, Integer samplesPerClass, RunOptions.Stream stream)
            throws IOException {
        if (samplesPerClass != null && !provider.mnistProtocol())
            throw new UsageError("--samples-per-class is for mnist only");
        if (stream != RunOptions.Stream.arm && !provider.mnistProtocol())
            throw new UsageError("--stream is for mnist only");
        return provider.open(
                new DatasetProvider.Request(dir, sharedValSplit, samplesPerClass, stream.name()));
    }
}

package arm.cli;

import arm.data.ContinualData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A continual benchmark as the CLI knows it ({@link Benchmark}): its name on the command line, its
 * title, which published hyperparameters the methods start from, the paper's numbers, and how to
 * read its files and build one run's split. Providers are found with {@link
 * java.util.ServiceLoader} through {@code META-INF/services/arm.cli.DatasetProvider} files on the
 * class path; docs/EXTENDING.md walks through adding one.
 */
public interface DatasetProvider {

    /**
     * The name on the command line ({@code --dataset}, {@code reproduce NAME}) and the default
     * folder data/NAME.
     */
    String name();

    /** The title in tables and results.json, e.g. "MNIST-5k-5". */
    String title();

    /** Position in listings: lower first (the paper's three use 10, 20, 30). */
    int order();

    /**
     * Whose published hyperparameters the methods start from: {@code mnist}, {@code cifar10} or
     * {@code miniimagenet} (arm.run.Defaults). A new dataset picks the closest.
     */
    String defaults();

    /**
     * The paper's numbers by row name ("ARM", "ER-50"), for the table; empty when there are none.
     */
    default Map<String, Paper.Row> paper() {
        return Map.of();
    }

    /** True when the val split depends on --val-split (false: the dataset fixes its own). */
    default boolean valSplitChoice() {
        return true;
    }

    /** True when --samples-per-class and --stream apply (MNIST-5k's protocol only). */
    default boolean mnistProtocol() {
        return false;
    }

    /**
     * What the command asks of the data.
     *
     * @param sharedValSplit --val-split shared
     * @param samplesPerClass --samples-per-class, null = the protocol's own
     * @param stream --stream (arm, shuffled, mir); only "arm" unless {@link #mnistProtocol}
     */
    record Request(Path dir, boolean sharedValSplit, Integer samplesPerClass, String stream) {}

    /** Reads the dataset once; a missing or damaged file is an IOException naming it. */
    Source open(Request request) throws IOException;

    /** Builds one run's data from the files read once. */
    interface Source {
        ContinualData data(long seed, boolean stationary);

        /**
         * The split the authors' code draws for run id {@code runId} after initialising an MLP of
         * width {@code mlpHidden} (theirs: 400) (rng = authors; MNIST only).
         */
        default ContinualData authors(long runId, boolean stationary, int mlpHidden) {
            throw new IllegalArgumentException(
                    "rng=authors replays the authors' MNIST streams only");
        }
    }
}

package arm.cli;

import arm.data.SyntheticData;
import arm.run.Defaults;

/**
 * A dataset defined only in test code and registered through the test resources'
 * META-INF/services/arm.cli.DatasetProvider: random MNIST-shaped pixels, no files
 * (docs/EXTENDING.md).
 */
public final class NoiseDataset implements DatasetProvider {
    @Override
    public String name() {
        return "noise";
    }

    @Override
    public String title() {
        return "Noise-5";
    }

    @Override
    public int order() {
        return 1000;
    }

    @Override
    public String defaults() {
        return Defaults.MNIST;
    }

    @Override
    public Source open(Request r) {
        return (seed, stationary) -> SyntheticData.mnistShaped(seed);
    }
}
